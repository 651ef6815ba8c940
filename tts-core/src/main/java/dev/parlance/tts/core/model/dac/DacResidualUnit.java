package dev.parlance.tts.core.model.dac;

import ai.djl.ndarray.NDArray;

/**
 * Residual unit {@code x + conv_k1(snake(conv_k7,dilation d(snake(x))))}. The convs keep the
 * length, so the reference's centre crop of x never applies.
 */
final class DacResidualUnit implements DacLayer {
  private final Snake1d snake1;
  private final DacConv1d conv1; // (C, C, 7), dilation d, padding 3d
  private final Snake1d snake2;
  private final DacConv1d conv2; // (C, C, 1)

  private DacResidualUnit(Snake1d snake1, DacConv1d conv1, Snake1d snake2, DacConv1d conv2) {
    this.snake1 = snake1;
    this.conv1 = conv1;
    this.snake2 = snake2;
    this.conv2 = conv2;
  }

  static DacResidualUnit load(
      DacWeights weights, DacKeys keys, int block, int unit, long channels) {
    int dilation = dilation(unit);
    return new DacResidualUnit(
        Snake1d.load(weights, keys.residualSnake1(block, unit), channels),
        DacConv1d.load(weights, keys.residualConv1(block, unit), channels, channels, -1, dilation),
        Snake1d.load(weights, keys.residualSnake2(block, unit), channels),
        DacConv1d.load(weights, keys.residualConv2(block, unit), channels, channels, 1, 1));
  }

  /** DAC's dilations 1, 3, 9 for the units of a block. */
  static int dilation(int unit) {
    int d = 1;
    for (int i = 0; i < unit; i++) {
      d *= 3;
    }
    return d;
  }

  @Override
  public NDArray forward(NDArray x) {
    NDArray y;
    try (NDArray a = snake1.forward(x);
        NDArray b = conv1.forward(a);
        NDArray c = snake2.forward(b)) {
      y = conv2.forward(c);
    }
    return y.addi(x);
  }

  @Override
  public Span exactOutputs(Span in) {
    return conv2.exactOutputs(conv1.exactOutputs(in)); // the skip path is exact on a wider span
  }
}
