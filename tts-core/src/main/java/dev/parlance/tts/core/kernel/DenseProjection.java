package dev.parlance.tts.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.core.Linear;

/** A weight held as a DJL array in the activations' dtype; the model manager owns it. */
public record DenseProjection(NDArray weight) implements Projection {

  @Override
  public NDArray apply(NDArray x) {
    return Linear.linear(x, weight).singletonOrThrow();
  }
}
