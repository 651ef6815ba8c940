package dev.parlance.tts.core.generation;

import java.util.Arrays;

/**
 * transformers' sampling path written out on the host in float64, one row at a time, as the oracle
 * for {@link TokenSampler}: temperature, top-k (entries below the k-th largest value dropped; ties
 * kept), softmax, top-p (ascending by probability, drop while the mass so far is at most 1 - p; the
 * most likely token always stays), then the first token whose running mass exceeds u times the
 * total.
 */
final class ReferenceSampler {
  private ReferenceSampler() {}

  /** The token for row {@code row} of {@code logits} ((rows, vocab) row-major). */
  static int choose(float[] logits, int row, int vocab, SamplingSettings s, double u) {
    int base = row * vocab;
    if (s.greedy()) {
      return argmax(logits, base, vocab);
    }
    double[] z = new double[vocab];
    for (int v = 0; v < vocab; v++) {
      z[v] = logits[base + v] / s.temperature();
    }
    if (s.topK() > 0 && s.topK() < vocab) {
      double[] sorted = z.clone();
      Arrays.sort(sorted);
      double kth = sorted[vocab - s.topK()];
      for (int v = 0; v < vocab; v++) {
        if (z[v] < kth) {
          z[v] = Double.NEGATIVE_INFINITY;
        }
      }
    }
    double max = Arrays.stream(z).max().orElseThrow();
    double sum = 0;
    for (int v = 0; v < vocab; v++) {
      z[v] = z[v] == Double.NEGATIVE_INFINITY ? 0 : Math.exp(z[v] - max);
      sum += z[v];
    }
    for (int v = 0; v < vocab; v++) {
      z[v] /= sum;
    }
    if (s.topP() < 1) {
      Integer[] order = new Integer[vocab];
      Arrays.setAll(order, i -> i);
      Arrays.sort(order, (a, b) -> Double.compare(z[a], z[b])); // stable: ties by id
      double cumulative = 0;
      for (int i = 0; i < vocab - 1; i++) {
        cumulative += z[order[i]];
        if (cumulative > 1 - s.topP()) {
          break;
        }
        z[order[i]] = 0;
      }
    }
    double total = 0;
    for (int v = 0; v < vocab; v++) {
      total += z[v];
    }
    double target = u * total;
    double running = 0;
    int last = -1;
    for (int v = 0; v < vocab; v++) {
      if (z[v] > 0) {
        running += z[v];
        last = v;
        if (running > target) {
          return v;
        }
      }
    }
    return last;
  }

  /** Index of the first largest value (torch.argmax's tie rule). */
  static int argmax(float[] logits, int base, int vocab) {
    int best = 0;
    for (int v = 1; v < vocab; v++) {
      if (logits[base + v] > logits[base + best]) {
        best = v;
      }
    }
    return best;
  }
}
