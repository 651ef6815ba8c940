package dev.parlance.tts.core.model.dac;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import java.util.ArrayList;
import java.util.List;

/**
 * Upsampling block: Snake, ConvTranspose1d (x stride, channels halve), residual units d = 1, 3, 9.
 *
 * <p>Long inputs run in time tiles with just enough overlap (from {@link #exactOutputs}) that every
 * kept output is exact: the element-wise passes (Snake alone is five) then work on cache-sized
 * tensors instead of streaming the late stages' tens of MB through memory each time.
 */
final class DacDecoderBlock implements DacLayer {
  /** Residual units per block in every DAC decoder. */
  static final int RESIDUAL_UNITS = 3;

  private final Snake1d snake;
  private final DacConvTranspose1d upsample;
  private final List<DacResidualUnit> units;
  private final long haloLeft; // input samples of context a tile needs on its left
  private final long haloRight; // ... and on its right

  private DacDecoderBlock(Snake1d snake, DacConvTranspose1d upsample, List<DacResidualUnit> units) {
    this.snake = snake;
    this.upsample = upsample;
    this.units = units;
    long n = 1 << 20; // any input far wider than the reach
    Span exact = exactOutputs(new Span(0, n));
    long s = upsample.stride();
    this.haloLeft = (exact.from() + s - 1) / s;
    this.haloRight = (n * s - exact.to() + s - 1) / s;
  }

  static DacDecoderBlock load(DacWeights weights, DacKeys keys, int block, long inChannels) {
    Snake1d snake = Snake1d.load(weights, keys.blockSnake(block), inChannels);
    DacConvTranspose1d upsample =
        DacConvTranspose1d.load(weights, keys.blockConvTranspose(block), inChannels);
    List<DacResidualUnit> units = new ArrayList<>();
    for (int u = 0; u < RESIDUAL_UNITS; u++) {
      units.add(DacResidualUnit.load(weights, keys, block, u, upsample.outChannels()));
    }
    return new DacDecoderBlock(snake, upsample, List.copyOf(units));
  }

  int outChannels() {
    return upsample.outChannels();
  }

  @Override
  public int scale() {
    return upsample.stride();
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

  /**
   * {@link #forward} computed in time tiles of about {@code tileElements} output elements each,
   * concatenated; identical to the untiled result.
   */
  NDArray forward(NDArray x, long tileElements) {
    long length = x.getShape().get(2);
    long stride = upsample.stride();
    long perInput = x.getShape().get(0) * upsample.outChannels() * stride;
    long tile = Math.max(1, tileElements / perInput); // input samples per tile
    if (length <= tile + haloLeft + haloRight) {
      return forward(x);
    }
    NDList parts = new NDList();
    try {
      for (long from = 0; from < length; from += tile) {
        long to = Math.min(length, from + tile);
        long lo = Math.max(0, from - haloLeft);
        long hi = Math.min(length, to + haloRight);
        try (NDArray in = x.get(":, :, {}:{}", lo, hi);
            NDArray out = forward(in)) {
          long end = Math.min((to - lo) * stride, out.getShape().get(2));
          parts.add(out.get(":, :, {}:{}", (from - lo) * stride, end));
        }
      }
      return NDArrays.concat(parts, 2);
    } finally {
      parts.close();
    }
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
