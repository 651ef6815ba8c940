package dev.parlance.tts.core.model.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/**
 * T5's RMSNorm {@code x / sqrt(mean(x^2) + eps)}: no mean subtraction, no bias, statistics in fp32.
 * The per-channel weight is applied by the caller; inside blocks it is folded into the next
 * projection's input columns at load time ({@code (x*w) W^T = x (W diag(w))^T}).
 */
final class T5LayerNorm {
  private T5LayerNorm() {}

  /** Normalises the last axis of {@code x}, keeping its dtype. */
  static NDArray normalize(NDArray x, float eps) {
    if (x.getDataType() == DataType.FLOAT32) {
      return x.div(x.square().mean(new int[] {-1}, true).add(eps).sqrt());
    }
    NDArray rms = x.toType(DataType.FLOAT32, false).square().mean(new int[] {-1}, true);
    return x.div(rms.add(eps).sqrt().toType(x.getDataType(), false));
  }
}
