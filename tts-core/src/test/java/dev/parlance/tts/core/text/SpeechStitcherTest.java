package dev.parlance.tts.core.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

class SpeechStitcherTest {
  private static final int RATE = 8000;
  private static final double THRESHOLD_DB = -45;
  private static final int KEEP_MS = 30;
  private static final int GAP_MS = 120;

  /** Silence, a word, a pause, a word, silence: lengths vary with the seed. */
  private static float[] chunk(Random r) {
    List<float[]> parts = new ArrayList<>();
    parts.add(noise(r, r.nextInt(2000)));
    parts.add(tone(800 + r.nextInt(1500), 0.4f));
    parts.add(noise(r, 300 + r.nextInt(800)));
    parts.add(tone(500 + r.nextInt(1500), 0.3f));
    parts.add(noise(r, r.nextInt(2500)));
    return SpeechJoiner.join(parts, RATE, 0, 0);
  }

  private static float[] tone(int n, float amplitude) {
    float[] s = new float[n];
    for (int i = 0; i < n; i++) {
      s[i] = (float) (amplitude * Math.sin(2 * Math.PI * 220 * i / RATE));
    }
    return s;
  }

  private static float[] noise(Random r, int n) {
    float[] s = new float[n];
    for (int i = 0; i < n; i++) {
      s[i] = (float) (r.nextGaussian() * 1e-4); // about -80 dBFS
    }
    return s;
  }

  @Test
  void streamingEqualsTrimmingAndJoiningTheWholeChunks() {
    for (int seed = 0; seed < 20; seed++) {
      Random r = new Random(seed);
      List<float[]> chunks = List.of(chunk(r), chunk(r), chunk(r));
      List<float[]> trimmed = new ArrayList<>();
      for (float[] c : chunks) {
        trimmed.add(SpeechJoiner.trimSilence(c, RATE, THRESHOLD_DB, KEEP_MS));
      }
      float[] expected = SpeechJoiner.join(trimmed, RATE, GAP_MS, 0);

      SpeechStitcher stitcher = new SpeechStitcher(RATE, THRESHOLD_DB, KEEP_MS, GAP_MS);
      float[] streamed = new float[0];
      for (float[] c : chunks) {
        int at = 0;
        while (at < c.length) {
          int n = Math.min(c.length - at, 1 + r.nextInt(700)); // arbitrary decoder block sizes
          streamed = append(streamed, stitcher.push(Arrays.copyOfRange(c, at, at + n)));
          at += n;
        }
        streamed = append(streamed, stitcher.endChunk());
      }
      assertArrayEquals(expected, streamed, "seed " + seed);
    }
  }

  @Test
  void aSilentChunkAddsNoPause() {
    SpeechStitcher stitcher = new SpeechStitcher(RATE, THRESHOLD_DB, 0, GAP_MS);
    float[] a = append(stitcher.push(tone(800, 0.5f)), stitcher.endChunk());
    float[] silent = append(stitcher.push(new float[4000]), stitcher.endChunk());
    float[] b = append(stitcher.push(tone(800, 0.5f)), stitcher.endChunk());
    assertEquals(800, a.length);
    assertEquals(0, silent.length);
    assertEquals(RATE * GAP_MS / 1000 + 800, b.length);
  }

  private static float[] append(float[] a, float[] b) {
    float[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
