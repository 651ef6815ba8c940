package dev.parlance.tts.core.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** Delay pattern, EOS processing, stopping and seeded sampling, without a model. */
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
      step(g, z);
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
    step(g, z);
    assertFalse(g.done());
    float[] again = new float[16];
    again[1] = 9; // item 0 would say 1, but it is finished
    again[8 + 2] = 9;
    while (!g.done()) {
      step(g, again);
    }
    assertEquals(6, g.length(), "stops at max_length");
    assertArrayEquals(new long[] {5, 4, 4, 4, 4, 4}, g.rawSequences()[0]);
    assertArrayEquals(new long[] {5, 2, 2, 2, 2, 2}, g.rawSequences()[1]);
  }

  @Test
  void samplingIsDeterministicPerSeedAndRespectsTopK() {
    int vocab = 100;
    float[] z = new float[vocab + 1]; // the last id is EOS, never likely enough to be drawn
    for (int v = 0; v < vocab; v++) {
      z[v] = v / 10f;
    }
    z[vocab] = -1e9f;
    int[] a = draws(new SamplingSettings(false, 1, 5, 1, 42, 201, 0), z, 200);
    int[] b = draws(new SamplingSettings(false, 1, 5, 1, 42, 201, 0), z, 200);
    int[] c = draws(new SamplingSettings(false, 1, 5, 1, 43, 201, 0), z, 200);
    assertArrayEquals(a, b);
    assertNotEquals(Arrays.toString(a), Arrays.toString(c));
    assertTrue(Arrays.stream(a).allMatch(t -> t >= 95), "top-5 keeps the five largest only");
    int[] nucleus = draws(new SamplingSettings(false, 1, 0, 0.01, 1, 51, 0), z, 50);
    assertTrue(Arrays.stream(nucleus).allMatch(t -> t == 99), "a tiny top-p keeps only the best");
    int[] hot = draws(new SamplingSettings(false, 100, 0, 1, 1, 401, 0), z, 400);
    assertTrue(Arrays.stream(hot).distinct().count() > 50, "a high temperature flattens");
  }

  @Test
  void aSeedDrawsOneUniformPerUnfinishedSampledRowInRowOrder() {
    int vocab = 50;
    SamplingSettings s = new SamplingSettings(false, 1, 0, 1, 9, 10, 0);
    Generation g = new Generation(1, 2, vocab, 48, 49, 49, s);
    SamplingRows rows = new SamplingRows(2, vocab);
    g.plan(rows, 0);
    java.util.SplittableRandom expected = new java.util.SplittableRandom(9);
    for (int row = 0; row < 2; row++) {
      assertEquals(
          expected.nextDouble(), rows.values()[row * SamplingRows.WIDTH + SamplingRows.UNIFORM]);
    }
    assertThrows(IllegalStateException.class, () -> g.plan(rows, 0), "one plan per step");
    g.accept(new long[] {49, 7}, 0); // codebook 0 ends
    g.plan(rows, 0);
    assertEquals(
        expected.nextDouble(),
        rows.values()[SamplingRows.WIDTH + SamplingRows.UNIFORM],
        "the finished row draws nothing; the other takes the next uniform");
  }

  private static int[] draws(SamplingSettings s, float[] z, int n) {
    Generation g = new Generation(1, 1, z.length, z.length - 2, z.length - 1, z.length - 1, s);
    for (int i = 0; i < n; i++) {
      step(g, z);
    }
    return Arrays.stream(g.rawSequences()[0]).skip(1).mapToInt(t -> (int) t).toArray();
  }

  /** One step with these logits for every row, sampled on the CPU. */
  private static void step(Generation g, float[] z) {
    try (NDManager m = NDManager.newBaseManager()) {
      g.step(m.create(z).reshape(g.rows(), -1), TokenSampler.on(m.getDevice()));
    }
  }
}
