package dev.parlance.tts.core.text;

import java.util.List;

/**
 * Pure functions on mono float PCM for stitching the chunks of a long text: energy-based trimming
 * of leading and trailing silence (Parler often pads, or mumbles on after the words), and joining
 * with a short pause or a crossfade so boundaries do not click.
 */
public final class SpeechJoiner {
  private SpeechJoiner() {}

  /** Analysis window for silence detection. */
  public static final int FRAME_MILLIS = 10;

  /**
   * Cuts leading and trailing silence. A 10 ms frame counts as sound when its RMS level reaches
   * {@code thresholdDb} (dBFS, e.g. -45) and is within 40 dB of the loudest frame. {@code
   * keepMillis} of audio is kept around the sound so onsets and decays are not clipped.
   *
   * @return the trimmed samples (a copy); empty if no frame is sound
   */
  public static float[] trimSilence(
      float[] samples, int sampleRate, double thresholdDb, int keepMillis) {
    int frame = Math.max(1, sampleRate * FRAME_MILLIS / 1000);
    int frames = (samples.length + frame - 1) / frame;
    if (frames == 0) {
      return new float[0];
    }
    double[] rms = new double[frames];
    double peak = 0;
    for (int f = 0; f < frames; f++) {
      int from = f * frame;
      int to = Math.min(samples.length, from + frame);
      double sum = 0;
      for (int i = from; i < to; i++) {
        sum += (double) samples[i] * samples[i];
      }
      rms[f] = Math.sqrt(sum / (to - from));
      peak = Math.max(peak, rms[f]);
    }
    double threshold = Math.max(Math.pow(10, thresholdDb / 20), peak * Math.pow(10, -40 / 20.0));
    int first = -1;
    int last = -1;
    for (int f = 0; f < frames; f++) {
      if (rms[f] >= threshold) {
        if (first < 0) {
          first = f;
        }
        last = f;
      }
    }
    if (first < 0) {
      return new float[0];
    }
    int keep = sampleRate * keepMillis / 1000;
    int from = Math.max(0, first * frame - keep);
    int to = Math.min(samples.length, (last + 1) * frame + keep);
    return java.util.Arrays.copyOfRange(samples, from, to);
  }

  /**
   * Joins parts in order. With a positive {@code gapMillis}, each boundary gets that much silence,
   * the part before it fading out and the part after it fading in over {@code fadeMillis}. With
   * {@code gapMillis == 0}, neighbours overlap by {@code fadeMillis} with a linear crossfade
   * (shortened to the shorter neighbour when needed).
   */
  public static float[] join(List<float[]> parts, int sampleRate, int gapMillis, int fadeMillis) {
    if (gapMillis < 0 || fadeMillis < 0) {
      throw new IllegalArgumentException("gapMillis and fadeMillis must be >= 0");
    }
    int gap = sampleRate * gapMillis / 1000;
    int fade = sampleRate * fadeMillis / 1000;
    long total = 0;
    for (int i = 0; i < parts.size(); i++) {
      total += parts.get(i).length;
      if (i > 0) {
        total += gap > 0 ? gap : -overlap(parts.get(i - 1), parts.get(i), fade);
      }
    }
    float[] out = new float[Math.toIntExact(total)];
    int at = 0;
    for (int i = 0; i < parts.size(); i++) {
      float[] part = parts.get(i).clone();
      boolean first = i == 0;
      boolean last = i == parts.size() - 1;
      if (gap > 0) {
        if (!first) {
          fadeIn(part, fade);
          at += gap;
        }
        if (!last) {
          fadeOut(part, fade);
        }
        System.arraycopy(part, 0, out, at, part.length);
        at += part.length;
      } else {
        int n = first ? 0 : overlap(parts.get(i - 1), part, fade);
        at -= n;
        for (int k = 0; k < n; k++) {
          float w = (k + 1f) / (n + 1f);
          out[at + k] = out[at + k] * (1 - w) + part[k] * w;
        }
        System.arraycopy(part, n, out, at + n, part.length - n);
        at += part.length;
      }
    }
    return out;
  }

  private static int overlap(float[] before, float[] after, int fade) {
    return Math.min(fade, Math.min(before.length, after.length));
  }

  private static void fadeIn(float[] s, int n) {
    int len = Math.min(n, s.length);
    for (int k = 0; k < len; k++) {
      s[k] *= (k + 1f) / (len + 1f);
    }
  }

  private static void fadeOut(float[] s, int n) {
    int len = Math.min(n, s.length);
    for (int k = 0; k < len; k++) {
      s[s.length - 1 - k] *= (k + 1f) / (len + 1f);
    }
  }
}
