package dev.parlance.tts.core.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Delay pattern, EOS processing, stopping and sampling on the host, without a model. */
class GenerationTest {
  private static final long BOS = 1025;
  private static final long PAD = 1024;

  @Test
  void delayPatternMatchesTheSpecExample() {
    // K = 4, N = 12 (model spec §6.2): B = BOS, P = PAD, . = free
    String[] expected = {"B........PPP", "BB........PP", "BBB........P", "BBBB........"};
    DelayPattern p = new DelayPattern(4, 12, BOS, PAD);
    for (int k = 0; k < 4; k++) {
      StringBuilder row = new StringBuilder();
      for (int t = 0; t < 12; t++) {
        long v = p.at(k, t);
        row.append(v == BOS ? 'B' : v == PAD ? 'P' : '.');
      }
      assertEquals(expected[k], row.toString(), "codebook " + k);
    }
  }

  @Test
  void revertTakesFrameJOfCodebookKFromTimeJPlusKPlusOne() {
    long[][] masked = {
      {BOS, 10, 11, 12, 13, 14, PAD, PAD},
      {BOS, BOS, 20, 21, 22, 23, 24, PAD},
    };
    long[][][] codes = DelayPattern.revert(masked, 2);
    assertArrayEquals(new long[] {10, 11, 12, 13, 14, PAD}, codes[0][0]);
    assertArrayEquals(new long[] {20, 21, 22, 23, 24, PAD}, codes[0][1]);
    long[][] valid = DelayPattern.validFrames(codes[0], 1024);
    assertEquals(5, valid[0].length, "the EOS/PAD frame is dropped");
  }

  /** Logits that make every row prefer {@code token}, and EOS when {@code eos} is set. */
  private static float[] logits(int rows, int vocab, int token, boolean eos) {
    float[] z = new float[rows * vocab];
    for (int r = 0; r < rows; r++) {
      z[r * vocab + token] = 5f;
      if (eos) {
        z[r * vocab + (int) PAD] = 10f;
      }
    }
    return z;
  }

  @Test
  void eosCascadesOneCodebookPerStepAndStopsEveryRow() {
    int k = 3;
    int vocab = 1088;
    SamplingSettings greedy = new SamplingSettings(true, 1, 0, 1, 0, 50, 2);
    Generation g = new Generation(1, k, vocab, (int) BOS, (int) PAD, (int) PAD, greedy);
    int steps = 0;
    int[] firstEos = {-1, -1, -1};
    while (!g.done()) {
      float[] z = logits(k, vocab, 7, true); // every row wants EOS at every step
      g.accept(z);
      steps++;
      long[][] raw = g.rawSequences();
      for (int row = 0; row < k; row++) {
        if (firstEos[row] < 0 && raw[row][steps] == PAD) {
          firstEos[row] = steps;
        }
      }
    }
    // min_new_tokens = 2 bans EOS on steps 1-2; then the processor lets codebook k end one step
    // after codebook k-1
    assertArrayEquals(new int[] {3, 4, 5}, firstEos);
    assertEquals(5, steps);
    assertTrue(g.finished(0));
  }

  @Test
  void finishedRowsGetPadAndMaxLengthStops() {
    SamplingSettings greedy = new SamplingSettings(true, 1, 0, 1, 0, 6, 0);
    Generation g = new Generation(2, 1, 8, 5, 4, 4, greedy);
    float[] z = new float[16];
    z[4] = 9; // batch item 0 emits EOS (id 4) at once
    z[8 + 2] = 9; // batch item 1 emits 2
    g.accept(z);
    assertFalse(g.done());
    float[] again = new float[16];
    again[1] = 9; // item 0 would say 1, but it is finished
    again[8 + 2] = 9;
    while (!g.done()) {
      g.accept(again.clone());
    }
    assertEquals(6, g.length(), "stops at max_length");
    assertArrayEquals(new long[] {5, 4, 4, 4, 4, 4}, g.rawSequences()[0]);
    assertArrayEquals(new long[] {5, 2, 2, 2, 2, 2}, g.rawSequences()[1]);
  }

  @Test
  void samplingIsDeterministicPerSeedAndRespectsTopK() {
    int vocab = 100;
    float[] z = new float[vocab];
    for (int v = 0; v < vocab; v++) {
      z[v] = v / 10f;
    }
    int[] a = draws(new SamplingSettings(false, 1, 5, 1, 42, 10, 0), z, 200);
    int[] b = draws(new SamplingSettings(false, 1, 5, 1, 42, 10, 0), z, 200);
    int[] c = draws(new SamplingSettings(false, 1, 5, 1, 43, 10, 0), z, 200);
    assertArrayEquals(a, b);
    assertNotEquals(Arrays.toString(a), Arrays.toString(c));
    assertTrue(Arrays.stream(a).allMatch(t -> t >= 95), "top-5 keeps the five largest only");
    int[] nucleus = draws(new SamplingSettings(false, 1, 0, 0.01, 1, 10, 0), z, 50);
    assertTrue(Arrays.stream(nucleus).allMatch(t -> t == 99), "a tiny top-p keeps only the best");
    int[] hot = draws(new SamplingSettings(false, 100, 0, 1, 1, 10, 0), z, 400);
    assertTrue(Arrays.stream(hot).distinct().count() > 50, "a high temperature flattens");
  }

  private static int[] draws(SamplingSettings s, float[] z, int n) {
    TokenSampler sampler = new TokenSampler(s, z.length);
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      out[i] = sampler.choose(z, 0, z.length);
    }
    return out;
  }

  @Test
  void greedyTakesTheFirstMaximum() {
    float[] z = {1, 3, 3, 2};
    assertEquals(1, TokenSampler.argmax(z, 0, 4));
  }
}
