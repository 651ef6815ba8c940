package dev.parlance.tts.core.kernel;

import ai.djl.ndarray.NDArray;

/**
 * A bias-free linear map y = x W^T with W (out, in) held in some {@link WeightFormat}. Results
 * belong to x's manager.
 */
public interface Projection {

  /** x (..., in) -> (..., out), in x's dtype. */
  NDArray apply(NDArray x);
}
