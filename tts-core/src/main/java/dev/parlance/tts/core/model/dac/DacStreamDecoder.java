package dev.parlance.tts.core.model.dac;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Seam-free streaming decode of one utterance (spec §8.4): frames arrive as generation completes
 * them; audio is emitted as soon as it can no longer change. Each emission decodes a window with
 * enough context on both sides ({@link DacDecoder#receptiveField()}) that the concatenation of
 * everything emitted equals the offline {@link DacDecoder#decode(long[][])} of all frames (to float
 * rounding). The DAC work is linear in the utterance length: each emission decodes its new frames
 * plus the context margins.
 *
 * <p>Frames holding an id outside {@code [0, codebookSize)} (EOS/PAD/BOS) are dropped on arrival,
 * exactly as the reference drops them before its offline decode; since nothing that depends on them
 * has been emitted yet, the stream still equals the offline decode of the cleaned frames.
 *
 * <p>Not thread-safe: one instance per utterance.
 */
public final class DacStreamDecoder {
  private static final float[] NONE = new float[0];

  private final DacDecoder dac;
  private final int codebooks;
  private final int codebookSize;
  private final int hop;
  private final ReceptiveField context;
  private final long chunkSamples;
  private final List<long[]> frames = new ArrayList<>(); // kept frames, frames.get(0) = firstFrame
  private long firstFrame;
  private long emitted; // samples emitted so far
  private int dropped;
  private boolean finished;

  /**
   * @param dac the decoder; it must outlive this stream
   * @param chunkFrames decode only once at least this many frames of new audio are final (larger
   *     chunks amortise the context margins; 1 gives the lowest latency)
   */
  public DacStreamDecoder(DacDecoder dac, int chunkFrames) {
    if (chunkFrames < 1) {
      throw new IllegalArgumentException("chunkFrames must be >= 1, got " + chunkFrames);
    }
    this.dac = dac;
    this.codebooks = dac.config().numCodebooks();
    this.codebookSize = dac.config().codebookSize();
    this.hop = dac.config().hopLength();
    this.context = dac.receptiveField();
    this.chunkSamples = (long) chunkFrames * hop;
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
        frames.add(frame.clone());
      }
    }
    return emit(false);
  }

  /** Decodes and returns the rest of the audio; the stream accepts no more frames. */
  public float[] finish() {
    if (finished) {
      return NONE;
    }
    finished = true;
    return emit(true);
  }

  /** Frames dropped because they held a special id. */
  public int droppedFrames() {
    return dropped;
  }

  /** Samples emitted so far. */
  public long emittedSamples() {
    return emitted;
  }

  private float[] emit(boolean end) {
    long total = firstFrame + frames.size();
    long readyEnd = end ? total * hop : Math.max(0, total * hop - context.rightSamples());
    if (readyEnd <= emitted || (!end && readyEnd - emitted < chunkSamples)) {
      return NONE;
    }
    long from = Math.max(0, Math.floorDiv(emitted - context.leftSamples(), hop));
    float[] audio = dac.decode(window(from, total));
    float[] out =
        Arrays.copyOfRange(audio, (int) (emitted - from * hop), (int) (readyEnd - from * hop));
    emitted = readyEnd;
    long stillNeeded = Math.max(0, Math.floorDiv(emitted - context.leftSamples(), hop));
    frames.subList(0, (int) (stillNeeded - firstFrame)).clear();
    firstFrame = stillNeeded;
    return out;
  }

  /** Frames [from, to) as {@code [k][t]}. */
  private long[][] window(long from, long to) {
    int n = (int) (to - from);
    long[][] codes = new long[codebooks][n];
    for (int t = 0; t < n; t++) {
      long[] frame = frames.get((int) (from - firstFrame) + t);
      for (int k = 0; k < codebooks; k++) {
        codes[k][t] = frame[k];
      }
    }
    return codes;
  }
}
