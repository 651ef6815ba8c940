package dev.parlance.tts.core.text;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SpeechJoinerTest {
  private static final int RATE = 1000; // 10 samples per 10 ms frame keeps the arithmetic visible

  private static float[] tone(int n, float amplitude) {
    float[] s = new float[n];
    for (int i = 0; i < n; i++) {
      s[i] = (float) (amplitude * Math.sin(2 * Math.PI * 0.1 * i));
    }
    return s;
  }

  private static float[] concat(float[]... parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  @Test
  void trimsLeadingAndTrailingSilenceKeepingAMargin() {
    float[] speech = tone(200, 0.5f);
    float[] noise = new float[100];
    for (int i = 0; i < noise.length; i++) {
      noise[i] = (i % 2 == 0 ? 1 : -1) * 1e-4f; // -80 dBFS hiss
    }
    float[] audio = concat(noise, speech, noise);
    float[] trimmed = SpeechJoiner.trimSilence(audio, RATE, -45, 20);
    assertEquals(200 + 2 * 20, trimmed.length);
    assertArrayEquals(speech, java.util.Arrays.copyOfRange(trimmed, 20, 220));
  }

  @Test
  void quietButRealSpeechIsKeptAndAllSilenceBecomesEmpty() {
    float[] audio = concat(new float[50], tone(100, 0.02f), new float[50]); // about -37 dBFS
    assertEquals(100, SpeechJoiner.trimSilence(audio, RATE, -45, 0).length);
    assertEquals(0, SpeechJoiner.trimSilence(new float[500], RATE, -45, 10).length);
    assertEquals(0, SpeechJoiner.trimSilence(new float[0], RATE, -45, 10).length);
  }

  @Test
  void joinsWithASilentGapAndFades() {
    float[] a = new float[100];
    float[] b = new float[100];
    java.util.Arrays.fill(a, 1f);
    java.util.Arrays.fill(b, 1f);
    float[] out = SpeechJoiner.join(List.of(a, b), RATE, 50, 10);
    assertEquals(250, out.length);
    for (int i = 100; i < 150; i++) {
      assertEquals(0f, out[i], "gap sample " + i);
    }
    assertTrue(out[99] < 0.1f, "a fades out: " + out[99]);
    assertTrue(out[150] < 0.1f, "b fades in: " + out[150]);
    assertEquals(1f, out[0]);
    assertEquals(1f, out[249]);
    assertEquals(1f, a[99], "inputs are not modified");
  }

  @Test
  void crossfadesWithoutAJump() {
    float[] a = new float[100];
    float[] b = new float[100];
    java.util.Arrays.fill(a, 1f);
    java.util.Arrays.fill(b, -1f);
    float[] out = SpeechJoiner.join(List.of(a, b), RATE, 0, 20);
    assertEquals(180, out.length);
    float maxStep = 0;
    for (int i = 1; i < out.length; i++) {
      maxStep = Math.max(maxStep, Math.abs(out[i] - out[i - 1]));
    }
    assertTrue(maxStep < 0.2f, "largest sample-to-sample jump " + maxStep);
    assertEquals(-1f, out[179]);
  }

  @Test
  void aSinglePartComesBackUnchanged() {
    float[] a = tone(30, 0.3f);
    assertArrayEquals(a, SpeechJoiner.join(List.of(a), RATE, 100, 10));
    assertEquals(0, SpeechJoiner.join(List.of(), RATE, 100, 10).length);
  }
}
