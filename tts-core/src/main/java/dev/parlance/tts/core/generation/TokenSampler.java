package dev.parlance.tts.core.generation;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Chooses one token per logits row on the host, as transformers' sampling path does: temperature,
 * then top-k (entries below the k-th largest value dropped; ties kept), then top-p (smallest set of
 * best tokens whose mass exceeds p), softmax, one draw. Draws come from a {@link SplittableRandom}
 * seeded per request, so a seed fixes the tokens on every device and run.
 */
public final class TokenSampler {
  private final SamplingSettings settings;
  private final SplittableRandom random;
  private final double[] scratch;
  private final Integer[] order;

  public TokenSampler(SamplingSettings settings, int vocab) {
    this.settings = settings;
    this.random = new SplittableRandom(settings.seed());
    this.scratch = new double[vocab];
    this.order = new Integer[vocab];
  }

  /** The token for row {@code row} of {@code logits} ((rows, vocab) row-major). */
  public int choose(float[] logits, int row, int vocab) {
    int base = row * vocab;
    if (settings.greedy()) {
      return argmax(logits, base, vocab);
    }
    double[] z = scratch;
    double t = settings.temperature();
    for (int v = 0; v < vocab; v++) {
      z[v] = t == 1.0 ? logits[base + v] : logits[base + v] / t;
    }
    if (settings.topK() > 0 && settings.topK() < vocab) {
      double[] sorted = z.clone();
      Arrays.sort(sorted);
      double kth = sorted[vocab - settings.topK()];
      for (int v = 0; v < vocab; v++) {
        if (z[v] < kth) {
          z[v] = Double.NEGATIVE_INFINITY;
        }
      }
    }
    softmaxInPlace(z, vocab);
    if (settings.topP() < 1.0) {
      nucleus(z, vocab, settings.topP());
    }
    double u = random.nextDouble();
    double total = 0;
    for (int v = 0; v < vocab; v++) {
      total += z[v];
    }
    double target = u * total;
    double acc = 0;
    int last = -1;
    for (int v = 0; v < vocab; v++) {
      if (z[v] > 0) {
        acc += z[v];
        last = v;
        if (acc > target) {
          return v;
        }
      }
    }
    return last >= 0 ? last : argmax(logits, base, vocab);
  }

  /** Index of the first largest value (torch.argmax's tie rule). */
  static int argmax(float[] logits, int base, int vocab) {
    int best = 0;
    float max = logits[base];
    for (int v = 1; v < vocab; v++) {
      if (logits[base + v] > max) {
        max = logits[base + v];
        best = v;
      }
    }
    return best;
  }

  private static void softmaxInPlace(double[] z, int n) {
    double max = Double.NEGATIVE_INFINITY;
    for (int i = 0; i < n; i++) {
      max = Math.max(max, z[i]);
    }
    double sum = 0;
    for (int i = 0; i < n; i++) {
      z[i] = z[i] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(z[i] - max);
      sum += z[i];
    }
    for (int i = 0; i < n; i++) {
      z[i] /= sum;
    }
  }

  /**
   * Zeroes the tokens outside the nucleus: sorted ascending, a token is dropped while the mass up
   * to and including it is at most 1 - p; the most likely token always stays.
   */
  private void nucleus(double[] probs, int n, double p) {
    for (int i = 0; i < n; i++) {
      order[i] = i;
    }
    Arrays.sort(order, 0, n, (a, b) -> Double.compare(probs[a], probs[b]));
    double cumulative = 0;
    for (int i = 0; i < n - 1; i++) {
      cumulative += probs[order[i]];
      if (cumulative <= 1 - p) {
        probs[order[i]] = 0;
      } else {
        break;
      }
    }
  }
}
