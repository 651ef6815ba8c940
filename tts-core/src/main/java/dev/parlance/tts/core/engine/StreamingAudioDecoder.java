package dev.parlance.tts.core.engine;

import dev.parlance.tts.core.generation.DelayPattern;
import dev.parlance.tts.core.model.dac.DacDecoder;
import dev.parlance.tts.core.model.dac.ReceptiveField;
import java.util.Arrays;

/**
 * Seam-free streaming DAC decode (model spec §8.4): frames are decoded in windows that carry the
 * DAC's receptive field as context on both sides, and only samples whose context is complete are
 * emitted, so the concatenated stream equals the offline decode of the whole utterance (to float
 * rounding) with linear total cost.
 *
 * <p>Frames holding a special id (EOS/PAD tail, or a stray one) are dropped before they are
 * emitted, as the offline path drops them.
 */
final class StreamingAudioDecoder {
  private final DacDecoder dac;
  private final int chunkFrames;
  private final int codebookSize;
  private final int left;
  private final int right;
  private final int hop;
  private int emitted; // valid frames whose audio has been handed out

  /**
   * @param chunkFrames emit once at least this many new frames are final
   */
  StreamingAudioDecoder(DacDecoder dac, int chunkFrames, int codebookSize) {
    this.dac = dac;
    this.chunkFrames = Math.max(1, chunkFrames);
    this.codebookSize = codebookSize;
    ReceptiveField field = dac.receptiveField();
    this.left = field.leftFrames();
    this.right = field.rightFrames();
    this.hop = field.hopLength();
  }

  /** Whether {@code completeCount} complete frames could release a new chunk. */
  boolean due(int completeCount) {
    return completeCount - right - emitted >= chunkFrames;
  }

  /**
   * Audio that became final given the frames complete so far ((K, frames), may contain special
   * ids); empty when there is not enough new audio yet.
   */
  float[] next(long[][] completeFrames) {
    long[][] frames = DelayPattern.validFrames(completeFrames, codebookSize);
    int total = frames[0].length;
    int ready = total - right;
    if (ready - emitted < chunkFrames) {
      return new float[0];
    }
    return emit(frames, ready, total);
  }

  /** The rest of the utterance once generation ended, given its final frames. */
  float[] finish(long[][] finalFrames) {
    long[][] frames = DelayPattern.validFrames(finalFrames, codebookSize);
    int total = frames[0].length;
    if (total == 0 && emitted == 0) {
      return new float[1]; // the reference's single zero sample for an empty utterance
    }
    return total <= emitted ? new float[0] : emit(frames, total, total);
  }

  private float[] emit(long[][] frames, int upTo, int available) {
    int lo = Math.max(0, emitted - left);
    int hi = Math.min(available, upTo + right);
    long[][] window = new long[frames.length][];
    for (int k = 0; k < frames.length; k++) {
      window[k] = Arrays.copyOfRange(frames[k], lo, hi);
    }
    float[] audio = dac.decode(window);
    float[] out = Arrays.copyOfRange(audio, (emitted - lo) * hop, (upTo - lo) * hop);
    emitted = upTo;
    return out;
  }
}
