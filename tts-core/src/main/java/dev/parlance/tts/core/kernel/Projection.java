package dev.parlance.tts.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.pytorch.jni.IValue;

/**
 * A bias-free linear map y = x W^T with W (out, in) held in some {@link WeightFormat}. Results
 * belong to x's manager.
 */
public interface Projection {

  /** x (..., in) -> (..., out), in x's dtype. */
  NDArray apply(NDArray x);

  /** The kernel that multiplies this weight: the {@code kernel} argument of a scripted product. */
  PackedKernels.Kernel kernel();

  /**
   * This weight's tensors as a TorchScript {@code List[Tensor]}, the {@code w} argument of {@link
   * PackedKernels#scriptMethods}' {@code project(x, kernel, w)}; the caller closes it.
   */
  IValue tensors();
}
