package dev.parlance.tts.core.kernel;

import ai.djl.ndarray.types.DataType;

/** How the decoder's projection weights are stored and multiplied. */
public enum WeightFormat {
  /**
   * float32 weights and activations: packed for oneDNN on the CPU ({@link PackedKernels}), DJL
   * arrays elsewhere.
   */
  FLOAT32(4),
  /** DJL float16 arrays; activations float16 too. */
  FLOAT16(2),
  /** bfloat16 weights with float32 activations, cast to bfloat16 inside each product. */
  BFLOAT16(2),
  /**
   * int8 weights with one float32 scale per output row (symmetric, weight-only); activations enter
   * the product as bfloat16. CPU only: it runs on PyTorch's {@code _weight_int8pack_mm} kernel.
   */
  INT8(1);

  private final int bytesPerWeight;

  WeightFormat(int bytesPerWeight) {
    this.bytesPerWeight = bytesPerWeight;
  }

  /** Bytes a step reads per weight. */
  public int bytesPerWeight() {
    return bytesPerWeight;
  }

  /** The dtype of the activations, KV cache and everything else that is not a weight matrix. */
  public DataType activations() {
    return this == FLOAT16 ? DataType.FLOAT16 : DataType.FLOAT32;
  }

  /** Whether the weights are in a dtype DJL arrays cannot hold, so packed on every device. */
  public boolean packed() {
    return this == BFLOAT16 || this == INT8;
  }
}
