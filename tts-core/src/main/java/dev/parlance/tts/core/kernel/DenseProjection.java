package dev.parlance.tts.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.IValue;

/** A weight held as a DJL array in the activations' dtype; the model manager owns it. */
public record DenseProjection(NDArray weight) implements Projection {

  @Override
  public NDArray apply(NDArray x) {
    return Linear.linear(x, weight).singletonOrThrow();
  }

  @Override
  public PackedKernels.Kernel kernel() {
    return PackedKernels.Kernel.DJL_DENSE;
  }

  @Override
  public IValue tensors() {
    return IValue.listFrom((PtNDArray) weight);
  }
}
