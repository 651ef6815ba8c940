package dev.parlance.tts.core.model.dac;

import ai.djl.ndarray.NDArray;

/** One stage of the DAC decoder on (B, C, L) activations. */
interface DacLayer {

  /** Applies the layer; the result is a new array attached to {@code x}'s manager. */
  NDArray forward(NDArray x);

  /**
   * The output positions that equal the decode of an unbounded signal when only the input positions
   * in {@code exactInputs} are known (everything outside reads as zero padding).
   */
  Span exactOutputs(Span exactInputs);

  /** Output samples per input sample (the upsampling stride; 1 for most layers). */
  default int scale() {
    return 1;
  }
}
