package dev.parlance.tts.core.model.dac;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import java.util.List;
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
   * What {@link #pushAll} does with {@code inputLength} more inputs, relative to this stage's kept
   * inputs: stages with equal plans hold equally long windows that they cut alike, so they run as
   * one batch.
   *
   * @param buffered inputs kept from earlier pushes
   * @param exactEnd end of the outputs that become exact, from the window's first output
   * @param emitted outputs already emitted, from the window's first output
   */
  record Plan(long buffered, long input, boolean end, long exactEnd, long emitted) {}

  Plan plan(long inputLength, boolean end) {
    long origin = bufferStart * scale; // absolute position of the window's first output
    long exactEnd =
        end
            ? Long.MAX_VALUE
            : layer.exactOutputs(new Span(bufferStart, inputEnd + inputLength)).to() - origin;
    return new Plan(inputEnd - bufferStart, inputLength, end, exactEnd, outputEnd - origin);
  }

  /**
   * Appends {@code input} (B, C, n), row i to {@code stages.get(i)}, whose plans must be equal
   * (input may be null: no new input), and returns the outputs that became exact (B, C', m), or
   * null. At {@code end} the signal is complete and every remaining output is returned. Arrays are
   * created in {@code step}; stage i's kept inputs move to {@code keep.get(i)}.
   */
  static NDArray pushAll(
      List<StreamingStage> stages,
      NDArray input,
      boolean end,
      NDManager step,
      List<NDManager> keep) {
    StreamingStage first = stages.get(0);
    Plan plan = first.plan(input == null ? 0 : input.getShape().get(2), end);
    NDList kept = new NDList(stages.size());
    for (StreamingStage stage : stages) {
      if (stage.buffer != null) {
        stage.buffer.attach(step); // replaced below; freed with the step
        kept.add(stage.buffer);
        stage.buffer = null;
      }
      stage.inputEnd += plan.input();
    }
    NDArray buffered =
        kept.isEmpty() ? null : kept.size() == 1 ? kept.get(0) : NDArrays.concat(kept);
    NDArray all =
        buffered == null
            ? input
            : input == null ? buffered : NDArrays.concat(new NDList(buffered, input), 2);
    if (all == null) {
      return null;
    }
    NDArray out = null;
    long emitted = plan.emitted(); // outputs emitted, from the window's first output
    if (plan.exactEnd() > emitted) {
      NDArray y = first.forward.apply(all);
      long to = Math.min(plan.exactEnd(), y.getShape().get(2));
      if (to > emitted) {
        out = y.get(":, :, {}:{}", emitted, to);
        emitted = to;
      }
    }
    long length = plan.buffered() + plan.input();
    long keepFrom = Math.max(0, Math.floorDiv(emitted - first.leftLoss, first.scale));
    for (int i = 0; i < stages.size(); i++) {
      StreamingStage stage = stages.get(i);
      stage.outputEnd = stage.bufferStart * stage.scale + emitted;
      if (!end) {
        if (keepFrom < length) {
          stage.buffer = all.get("{}:{}, :, {}:", i, i + 1, keepFrom);
          stage.buffer.attach(keep.get(i));
        }
        stage.bufferStart += Math.min(keepFrom, length);
      }
    }
    return out;
  }
}
