package dev.parlance.tts.core.text;

import java.util.Arrays;

/**
 * The streaming form of trimming and joining: the audio of a long text's chunks is pushed in blocks
 * as it is decoded, and comes out with each chunk's leading and trailing silence cut (keeping a
 * margin) and a fixed pause between chunks. Only silence is ever held back, so speech is passed on
 * as soon as it is known to be speech. Not thread-safe: one per request.
 *
 * <p>A 10 ms frame is speech when its RMS reaches {@code thresholdDb} dBFS. For a chunk whose
 * loudest frame is within 40 dB of that threshold the output equals {@link
 * SpeechJoiner#trimSilence} of the whole chunk.
 */
public final class SpeechStitcher {
  private final int frame;
  private final double threshold;
  private final int keep;
  private final int gap;

  private float[] pending = new float[0]; // samples not yet classified (less than a frame)
  private final Samples held = new Samples(); // silence held back: before or since speech
  private boolean speechSeen; // in the current chunk
  private boolean anySpeech; // in any chunk so far (the pause goes between spoken chunks)
  private boolean gapDue;

  /**
   * @param sampleRate samples per second
   * @param thresholdDb level below which a frame is silence, in dBFS (e.g. -45)
   * @param keepMillis silence kept before and after the speech of each chunk
   * @param gapMillis the pause inserted between chunks
   */
  public SpeechStitcher(int sampleRate, double thresholdDb, int keepMillis, int gapMillis) {
    if (keepMillis < 0 || gapMillis < 0) {
      throw new IllegalArgumentException("keepMillis and gapMillis must be >= 0");
    }
    this.frame = Math.max(1, sampleRate * SpeechJoiner.FRAME_MILLIS / 1000);
    this.threshold = Math.pow(10, thresholdDb / 20);
    this.keep = sampleRate * keepMillis / 1000;
    this.gap = sampleRate * gapMillis / 1000;
  }

  /** Takes the next block of the current chunk; returns what can be played now (maybe empty). */
  public float[] push(float[] samples) {
    float[] all = concat(pending, samples);
    int full = all.length / frame * frame;
    pending = Arrays.copyOfRange(all, full, all.length);
    Samples out = new Samples();
    classify(all, full, out);
    return out.toArray();
  }

  /**
   * Ends the current chunk; returns the rest of its audio (the kept margin of trailing silence).
   * The pause before the next chunk is emitted with that chunk's first speech, so a chunk that
   * turns out silent adds no pause.
   */
  public float[] endChunk() {
    Samples out = new Samples();
    classify(pending, pending.length, out);
    pending = new float[0];
    if (speechSeen) {
      held.keepFirst(keep);
      out.append(held);
      anySpeech = true;
      gapDue = true;
    }
    held.clear();
    speechSeen = false;
    return out.toArray();
  }

  /** Classifies {@code s[0, end)} in frames (the last one may be short); speech goes to out. */
  private void classify(float[] s, int end, Samples out) {
    for (int from = 0; from < end; from += frame) {
      int to = Math.min(end, from + frame);
      if (rms(s, from, to) >= threshold) {
        if (!speechSeen) {
          held.keepLast(keep); // the lead-in margin
          if (gapDue && anySpeech) {
            out.append(new float[gap], 0, gap);
          }
          gapDue = false;
          speechSeen = true;
        }
        out.append(held); // after speech: a pause between words, which is speech after all
        held.clear();
        out.append(s, from, to);
      } else {
        held.append(s, from, to);
        if (!speechSeen && held.length() > 2 * keep + frame) {
          held.keepLast(keep); // bound the lead-in while waiting for speech
        }
      }
    }
  }

  private static double rms(float[] s, int from, int to) {
    double sum = 0;
    for (int i = from; i < to; i++) {
      sum += (double) s[i] * s[i];
    }
    return to == from ? 0 : Math.sqrt(sum / (to - from));
  }

  /** A growable float array: appends are amortised O(1), unlike copying arrays per frame. */
  private static final class Samples {
    private float[] data = new float[256];
    private int length;

    int length() {
      return length;
    }

    void append(float[] s, int from, int to) {
      int n = to - from;
      if (length + n > data.length) {
        data = Arrays.copyOf(data, Math.max(data.length * 2, length + n));
      }
      System.arraycopy(s, from, data, length, n);
      length += n;
    }

    void append(Samples other) {
      append(other.data, 0, other.length);
    }

    void keepLast(int n) {
      if (length > n) {
        System.arraycopy(data, length - n, data, 0, n);
        length = n;
      }
    }

    void keepFirst(int n) {
      length = Math.min(length, n);
    }

    void clear() {
      length = 0;
    }

    float[] toArray() {
      return Arrays.copyOf(data, length);
    }
  }

  private static float[] concat(float[] a, float[] b) {
    if (a.length == 0) {
      return b.length == 0 ? a : b.clone();
    }
    float[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
