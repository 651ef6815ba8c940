package dev.parlance.tts.core.model.dac;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.function.UnaryOperator;

/**
 * One decoder layer run incrementally on a growing signal: it keeps only the inputs its next
 * outputs still need and emits only outputs that can no longer change (from {@link
 * DacLayer#exactOutputs}). Chained over every layer, the recomputation per step is each layer's own
 * reach, not the whole decoder's receptive field.
 */
final class StreamingStage {
  private final DacLayer layer;
  private final UnaryOperator<NDArray> forward;
  private final long scale;
  private final long leftLoss; // outputs at a window's left edge that still see its zero padding
  private NDArray buffer; // inputs [bufferStart, inputEnd), attached to the stream's manager
  private long bufferStart;
  private long inputEnd;
  private long outputEnd; // outputs emitted so far

  StreamingStage(DacLayer layer, UnaryOperator<NDArray> forward) {
    this.layer = layer;
    this.forward = forward;
    this.scale = layer.scale();
    this.leftLoss = layer.exactOutputs(new Span(0, 1 << 20)).from();
  }

  /**
   * Appends {@code input} (1, C, n) (may be null: no new input) and returns the outputs that became
   * exact, or null. At {@code end} the signal is complete and every remaining output is returned.
   * Arrays are created in {@code step}; the kept inputs move to {@code keep}.
   */
  NDArray push(NDArray input, boolean end, NDManager step, NDManager keep) {
    if (buffer != null) {
      buffer.attach(step); // replaced below; freed with the step
    }
    NDArray all =
        buffer == null
            ? input
            : input == null ? buffer : NDArrays.concat(new NDList(buffer, input), 2);
    buffer = null;
    if (input != null) {
      inputEnd += input.getShape().get(2);
    }
    if (all == null) {
      return null;
    }
    long exactEnd = end ? Long.MAX_VALUE : layer.exactOutputs(new Span(bufferStart, inputEnd)).to();
    NDArray out = null;
    if (exactEnd > outputEnd) {
      NDArray y = forward.apply(all);
      long origin = bufferStart * scale; // absolute position of y's first sample
      long to = Math.min(exactEnd, origin + y.getShape().get(2));
      if (to > outputEnd) {
        out = y.get(":, :, {}:{}", outputEnd - origin, to - origin);
        outputEnd = to;
      }
    }
    if (!end) {
      long keepFrom = Math.max(bufferStart, Math.floorDiv(outputEnd - leftLoss, scale));
      if (keepFrom < inputEnd) {
        buffer = all.get(":, :, {}:", keepFrom - bufferStart);
        buffer.attach(keep);
      }
      bufferStart = Math.min(keepFrom, inputEnd);
    }
    return out;
  }
}
