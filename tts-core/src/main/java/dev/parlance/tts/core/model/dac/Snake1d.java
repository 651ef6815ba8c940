package dev.parlance.tts.core.model.dac;

import ai.djl.ndarray.NDArray;

/**
 * Snake activation, per channel c: {@code y = x + sin(alpha_c * x)^2 / (alpha_c + 1e-9)}.
 * Checkpoint: {@code alpha} (1, C, 1).
 */
final class Snake1d implements DacLayer {
  private final NDArray alpha; // (1, C, 1)
  private final NDArray inverse; // (1, C, 1): 1 / (alpha + 1e-9), precomputed as the reference does

  private Snake1d(NDArray alpha, NDArray inverse) {
    this.alpha = alpha;
    this.inverse = inverse;
  }

  static Snake1d load(DacWeights weights, String key, long channels) {
    float[] alpha = weights.floats(key, 1, channels, 1);
    float[] inverse = new float[alpha.length];
    for (int c = 0; c < alpha.length; c++) {
      inverse[c] = 1f / (alpha[c] + 1e-9f);
    }
    return new Snake1d(
        weights.upload(alpha, 1, channels, 1), weights.upload(inverse, 1, channels, 1));
  }

  @Override
  public NDArray forward(NDArray x) {
    NDArray s;
    try (NDArray scaled = x.mul(alpha)) {
      s = scaled.sin();
    }
    // In place from here: the activations are the decoder's largest tensors.
    return s.muli(s).muli(inverse).addi(x);
  }

  @Override
  public Span exactOutputs(Span exactInputs) {
    return exactInputs;
  }
}
