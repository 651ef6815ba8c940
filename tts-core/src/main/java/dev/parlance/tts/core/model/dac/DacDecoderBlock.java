package dev.parlance.tts.core.model.dac;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.ArrayList;
import java.util.List;

/**
 * Upsampling block: Snake, ConvTranspose1d (x stride, channels halve), residual units d = 1, 3, 9.
 */
final class DacDecoderBlock implements DacLayer {
  /** Residual units per block in every DAC decoder. */
  static final int RESIDUAL_UNITS = 3;

  private final Snake1d snake;
  private final DacConvTranspose1d upsample;
  private final List<DacResidualUnit> units;

  private DacDecoderBlock(Snake1d snake, DacConvTranspose1d upsample, List<DacResidualUnit> units) {
    this.snake = snake;
    this.upsample = upsample;
    this.units = units;
  }

  static DacDecoderBlock load(
      DacWeights weights,
      DacKeys keys,
      int block,
      long inChannels,
      NDManager manager,
      DataType dtype) {
    Snake1d snake = Snake1d.load(weights, keys.blockSnake(block), inChannels);
    DacConvTranspose1d upsample =
        DacConvTranspose1d.load(
            weights, keys.blockConvTranspose(block), inChannels, manager, dtype);
    List<DacResidualUnit> units = new ArrayList<>();
    for (int u = 0; u < RESIDUAL_UNITS; u++) {
      units.add(DacResidualUnit.load(weights, keys, block, u, upsample.outChannels()));
    }
    return new DacDecoderBlock(snake, upsample, List.copyOf(units));
  }

  int stride() {
    return upsample.stride();
  }

  int outChannels() {
    return upsample.outChannels();
  }

  @Override
  public NDArray forward(NDArray x) {
    NDArray h;
    try (NDArray activated = snake.forward(x)) {
      h = upsample.forward(activated);
    }
    for (DacResidualUnit unit : units) {
      try (NDArray previous = h) {
        h = unit.forward(previous);
      }
    }
    return h;
  }

  @Override
  public Span exactOutputs(Span in) {
    Span span = upsample.exactOutputs(in);
    for (DacResidualUnit unit : units) {
      span = unit.exactOutputs(span);
    }
    return span;
  }
}
