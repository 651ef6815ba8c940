package dev.parlance.tts.core.model.dac;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;

/**
 * Seam-free streaming decode of one utterance (spec §8): frames arrive as generation completes
 * them; audio is emitted as soon as it can no longer change, and the concatenation of everything
 * emitted equals the offline {@link DacDecoder#decode(long[][])} of all frames (to float rounding).
 *
 * <p>Every decoder layer runs incrementally ({@link StreamingStage}): it keeps just the inputs its
 * next outputs need and emits only exact outputs, so each step recomputes only each layer's own
 * reach instead of the decoder's whole receptive field (about 10 frames per side at 44.1 kHz).
 * Audio for a frame therefore comes out once about {@link ReceptiveField#rightFrames()} later
 * frames are known.
 *
 * <p>Frames holding an id {@code >= codebookSize} (EOS/PAD/BOS) are dropped on arrival, exactly as
 * the reference drops them before its offline decode; since nothing that depends on them has been
 * emitted yet, the stream still equals the offline decode of the cleaned frames.
 *
 * <p>Holds native arrays between calls: close it. Not thread-safe: one instance per utterance.
 */
public final class DacStreamDecoder implements AutoCloseable {
  private static final float[] NONE = new float[0];

  private final DacDecoder dac;
  private final int codebooks;
  private final int codebookSize;
  private final int chunkFrames;
  private final NDManager manager; // the stages' kept inputs
  private final List<StreamingStage> stages;
  private final List<long[]> pending = new ArrayList<>(); // valid frames not decoded yet
  private long frames; // valid frames received
  private long emitted; // samples emitted so far
  private int dropped;
  private boolean finished;

  /**
   * @param dac the decoder; it must outlive this stream
   * @param chunkFrames decode once at least this many new frames are pending (larger chunks cost
   *     fewer, bigger steps; 1 gives the lowest latency)
   */
  public DacStreamDecoder(DacDecoder dac, int chunkFrames) {
    if (chunkFrames < 1) {
      throw new IllegalArgumentException("chunkFrames must be >= 1, got " + chunkFrames);
    }
    this.dac = dac;
    this.codebooks = dac.config().numCodebooks();
    this.codebookSize = dac.config().codebookSize();
    this.chunkFrames = chunkFrames;
    this.manager = dac.newScope();
    this.stages = dac.streamingStages();
  }

  /**
   * Appends complete frames and returns the audio that became final, possibly none.
   *
   * @param newFrames {@code newFrames[i][k]}: frame i's id for codebook k
   * @throws IllegalArgumentException a frame without K ids, or a negative id
   * @throws IllegalStateException after {@link #finish()}
   */
  public float[] push(long[][] newFrames) {
    if (finished) {
      throw new IllegalStateException("stream already finished");
    }
    for (long[] frame : newFrames) {
      if (frame.length != codebooks) {
        throw new IllegalArgumentException(
            "a frame has " + frame.length + " codes, expected " + codebooks);
      }
      boolean special = false;
      for (long id : frame) {
        if (id < 0) {
          throw new IllegalArgumentException("negative code id " + id);
        }
        special |= id >= codebookSize;
      }
      if (special) {
        dropped++;
      } else {
        pending.add(frame.clone());
        frames++;
      }
    }
    return pending.size() >= chunkFrames ? decode(false) : NONE;
  }

  /** Decodes and returns the rest of the audio; the stream accepts no more frames. */
  public float[] finish() {
    if (finished) {
      return NONE;
    }
    finished = true;
    return frames == 0 ? NONE : decode(true);
  }

  /** Frames dropped because they held a special id. */
  public int droppedFrames() {
    return dropped;
  }

  /** Samples emitted so far. */
  public long emittedSamples() {
    return emitted;
  }

  private float[] decode(boolean end) {
    try (NDManager step = manager.newSubManager()) {
      NDArray x = pending.isEmpty() ? null : dac.quantizer().forward(pendingCodes(step));
      pending.clear();
      for (StreamingStage stage : stages) {
        x = stage.push(x, end, step, manager);
      }
      if (x == null) {
        return NONE;
      }
      float[] audio = x.tanh().toFloatArray();
      emitted += audio.length;
      return audio;
    }
  }

  /** The pending frames as (1, K, n) ids. */
  private NDArray pendingCodes(NDManager step) {
    int n = pending.size();
    long[] flat = new long[codebooks * n];
    for (int t = 0; t < n; t++) {
      long[] frame = pending.get(t);
      for (int k = 0; k < codebooks; k++) {
        flat[k * n + t] = frame[k];
      }
    }
    return step.create(flat, new Shape(1, codebooks, n));
  }

  @Override
  public void close() {
    manager.close();
  }
}
