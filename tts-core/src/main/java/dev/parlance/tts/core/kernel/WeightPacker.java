package dev.parlance.tts.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Turns a model's float32 weight matrices into {@link Projection}s of one {@link WeightFormat},
 * owned by one manager: packed by {@link PackedKernels} where it multiplies the format on the
 * manager's device, else kept as a DJL array in the activations' dtype.
 */
public final class WeightPacker {
  private final NDManager owner;
  private final WeightFormat format;
  private final PackedKernels kernels;

  public WeightPacker(NDManager owner, WeightFormat format) {
    this.owner = owner;
    this.format = format;
    this.kernels = PackedKernels.on(owner.getDevice());
  }

  public WeightFormat format() {
    return format;
  }

  /** A float32 weight (out, in) as a projection; consumes {@code weight}. */
  public Projection pack(NDArray weight) {
    if (!kernels.packs(format)) {
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
    try (weight) {
      return kernels.pack(weight, format, owner);
    }
  }
}
