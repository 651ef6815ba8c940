package dev.parlance.tts.core.generation;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** The device sampler against the host reference, row by row, with mixed settings per call. */
class TokenSamplerTest {
  private static final int EOS = 3;

  /** One row's settings, draw and ban, as a request would plan them. */
  private record Plan(SamplingSettings settings, double u, boolean banEos) {}

  /**
   * Calls alternate between logits with and without ties, and between mixed top-k settings (some
   * rows unfiltered: the full-width path) and a top-k on every sampled row (the draw over the top-k
   * candidates, unless ties at the k-th value spill past them); one call in eight is all greedy.
   */
  @Test
  void choosesWhatTheReferenceChoosesForEveryRowAndSetting() {
    Random random = new Random(11);
    for (int vocab : new int[] {37, 1088}) {
      for (int call = 0; call < 16; call++) {
        int n = 40;
        float[] logits = logits(random, n, vocab, call % 2 == 0);
        List<Plan> plans = new ArrayList<>();
        for (int r = 0; r < n; r++) {
          Plan p = randomPlan(random, vocab, call % 4 >= 2);
          plans.add(call % 8 == 7 ? new Plan(greedy(p.settings()), 0, p.banEos()) : p);
        }
        long[] tokens = choose(logits, n, vocab, plans, DataType.FLOAT32);
        for (int r = 0; r < n; r++) {
          assertEquals(
              reference(logits, r, vocab, plans.get(r)),
              tokens[r],
              "vocab " + vocab + " call " + call + " row " + r + " " + plans.get(r));
        }
      }
    }
  }

  @Test
  void aRowsTokenDoesNotDependOnTheOtherRows() {
    Random random = new Random(5);
    int vocab = 1088;
    int n = 8;
    float[] logits = logits(random, n, vocab, false);
    List<Plan> plans = new ArrayList<>();
    for (int r = 0; r < n; r++) {
      plans.add(new Plan(new SamplingSettings(false, 1, 50, 0.9, 0, 10, 0), r / 8.0, r == 2));
    }
    long[] together = choose(logits, n, vocab, plans, DataType.FLOAT32);
    for (int r = 0; r < n; r++) {
      float[] alone = new float[vocab];
      System.arraycopy(logits, r * vocab, alone, 0, vocab);
      long[] one = choose(alone, 1, vocab, List.of(plans.get(r)), DataType.FLOAT32);
      assertEquals(together[r], one[0], "row " + r);
    }
  }

  @Test
  void takesLogitsInTheComputeDtype() {
    Random random = new Random(3);
    int vocab = 64;
    float[] logits = logits(random, 4, vocab, true);
    List<Plan> plans = new ArrayList<>();
    for (int r = 0; r < 4; r++) {
      plans.add(new Plan(new SamplingSettings(r == 0, 1, 0, 1, 0, 10, 0), 0.3 + r / 10.0, false));
    }
    float[] half; // what the float16 logits hold
    try (NDManager m = NDManager.newBaseManager()) {
      half =
          m.create(logits)
              .toType(DataType.FLOAT16, false)
              .toType(DataType.FLOAT32, false)
              .toFloatArray();
    }
    long[] tokens = choose(logits, 4, vocab, plans, DataType.FLOAT16);
    for (int r = 0; r < 4; r++) {
      assertEquals(reference(half, r, vocab, plans.get(r)), tokens[r], "row " + r);
    }
  }

  @Test
  void bannedEosIsNeverChosenEvenWhenItIsTheBest() {
    int vocab = 16;
    float[] logits = new float[2 * vocab];
    logits[EOS] = 50; // greedy row
    logits[vocab + EOS] = 50; // sampled row: everything else has no mass next to it
    List<Plan> plans =
        List.of(
            new Plan(new SamplingSettings(true, 1, 0, 1, 0, 10, 0), 0, true),
            new Plan(new SamplingSettings(false, 1, 0, 1, 0, 10, 0), 0.99, true));
    long[] tokens = choose(logits, 2, vocab, plans, DataType.FLOAT32);
    assertEquals(0, tokens[0], "the first of the remaining maxima");
    assertEquals(vocab - 1, tokens[1], "uniform mass over the 15 others; 0.99 lands on the last");
    List<Plan> allowed = List.of(new Plan(plans.get(0).settings(), 0, false));
    assertArrayEquals(new long[] {EOS}, choose(logits, 1, vocab, allowed, DataType.FLOAT32));
  }

  @Test
  void logitsThatDoNotSplitIntoTheRowsAreRefused() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray z = m.zeros(new Shape(3, 10));
      SamplingRows rows = new SamplingRows(2, 10);
      assertThrows(
          IllegalArgumentException.class, () -> TokenSampler.on(m.getDevice()).choose(z, rows, 0));
    }
  }

  /** Gaussian logits; {@code ties} rounds them to quarters so values repeat within a row. */
  private static float[] logits(Random random, int rows, int vocab, boolean ties) {
    float[] z = new float[rows * vocab];
    for (int i = 0; i < z.length; i++) {
      double v = random.nextGaussian() * 3;
      z[i] = (float) (ties ? Math.round(v * 4) / 4.0 : v);
    }
    return z;
  }

  private static SamplingSettings greedy(SamplingSettings s) {
    return new SamplingSettings(true, 1, s.topK(), s.topP(), 0, 10, 0);
  }

  private static Plan randomPlan(Random random, int vocab, boolean everyRowTopK) {
    int[] topKs = everyRowTopK ? new int[] {1, 5, 20} : new int[] {0, 1, 5, 50, vocab, vocab + 3};
    double[] topPs = {1, 1, 0.95, 0.5, 0.01};
    double[] temperatures = {1, 0.7, 1.6};
    SamplingSettings s =
        new SamplingSettings(
            random.nextInt(5) == 0,
            temperatures[random.nextInt(temperatures.length)],
            topKs[random.nextInt(topKs.length)],
            topPs[random.nextInt(topPs.length)],
            0,
            10,
            0);
    return new Plan(s, random.nextDouble(), random.nextInt(3) == 0);
  }

  private static long reference(float[] logits, int row, int vocab, Plan plan) {
    float[] z = new float[vocab];
    System.arraycopy(logits, row * vocab, z, 0, vocab);
    if (plan.banEos()) {
      z[EOS] = Float.NEGATIVE_INFINITY;
    }
    return ReferenceSampler.choose(z, 0, vocab, plan.settings(), plan.u());
  }

  private static long[] choose(float[] logits, int n, int vocab, List<Plan> plans, DataType dtype) {
    SamplingRows rows = new SamplingRows(n, vocab);
    for (int r = 0; r < n; r++) {
      Plan p = plans.get(r);
      if (p.settings().greedy()) {
        rows.greedy(r, p.banEos());
      } else {
        rows.sample(r, p.settings(), p.u(), p.banEos());
      }
    }
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray z = m.create(logits, new Shape(n, vocab)).toType(dtype, false);
      return TokenSampler.on(m.getDevice()).choose(z, rows, EOS);
    }
  }
}
