package dev.parlance.tts.core.model.dac;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import dev.parlance.tts.core.checkpoint.CheckpointException;

/**
 * Conv1d with bias, stride 1 and "same" zero padding {@code dilation * (k - 1) / 2} (k odd), as
 * every Conv1d of the DAC decoder. Checkpoint: weight (out, in, k) (possibly weight-normed), bias
 * (out).
 */
final class DacConv1d implements DacLayer {
  private final NDArray weight; // (out, in, k)
  private final NDArray bias; // (out)
  private final Shape padding;
  private final Shape dilation;
  private final int reach; // inputs used on each side of an output position

  private DacConv1d(NDArray weight, NDArray bias, int kernel, int dilation) {
    this.weight = weight;
    this.bias = bias;
    this.reach = dilation * (kernel - 1) / 2;
    this.padding = new Shape(reach);
    this.dilation = new Shape(dilation);
  }

  /**
   * Loads {@code module}; {@code -1} in the expected sizes accepts any size.
   *
   * @param kernel expected kernel size, must be odd ({@code -1}: read from the weight, then
   *     checked)
   */
  static DacConv1d load(
      DacWeights weights, String module, long in, long out, long kernel, int dilation) {
    float[] w = weights.convWeight(module, out, in, kernel);
    long[] shape = weights.convShape(module);
    if (shape[2] % 2 == 0) {
      throw new CheckpointException(
          "conv '" + module + "' has an even kernel " + shape[2] + "; DAC convs are odd-sized");
    }
    float[] b = weights.convBias(module, shape[0]);
    return new DacConv1d(
        weights.upload(w, shape), weights.upload(b, shape[0]), (int) shape[2], dilation);
  }

  @Override
  public NDArray forward(NDArray x) {
    return Conv1d.conv1d(x, weight, bias, new Shape(1), padding, dilation, 1).singletonOrThrow();
  }

  @Override
  public Span exactOutputs(Span in) {
    return new Span(in.from() + reach, in.to() - reach);
  }
}
