package dev.parlance.tts.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Turns a model's float32 weight matrices into {@link Projection}s of one {@link WeightFormat},
 * owned by one manager. The kernels module is compiled on the first packed weight.
 */
public final class WeightPacker {
  private final NDManager owner;
  private final WeightFormat format;
  private PackedKernels kernels;

  public WeightPacker(NDManager owner, WeightFormat format) {
    this.owner = owner;
    this.format = format;
  }

  public WeightFormat format() {
    return format;
  }

  /** A float32 weight (out, in) as a projection; consumes {@code weight}. */
  public Projection pack(NDArray weight) {
    if (!format.packed()) {
      NDArray kept =
          weight.getDataType() == format.activations()
              ? weight
              : weight.toType(format.activations(), false);
      kept.attach(owner);
      if (kept != weight) {
        weight.close();
      }
      return new DenseProjection(kept);
    }
    if (kernels == null) {
      kernels = PackedKernels.load(owner);
    }
    try (weight) {
      return kernels.pack(weight, format);
    }
  }
}
