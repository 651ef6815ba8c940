package dev.parlance.tts.core.audio;

import java.util.Arrays;

/**
 * Anti-aliased sample-rate conversion for mono float audio: a polyphase windowed-sinc (Kaiser)
 * interpolator for any rational ratio, e.g. Parler's 44.1 kHz to 48 kHz (rooms, Opus), 24 kHz
 * (OpenAI {@code pcm}, LiveKit plugins), 16 kHz or 8 kHz (telephony).
 *
 * <p>Streaming: {@link #process} may be called with chunks of any size and the output is continuous
 * across calls — concatenating every {@code process} result and {@link #flush()} equals {@link
 * #resample} of the whole input, sample for sample. The filter is centred (zero phase), so output
 * is aligned with input; each call holds back the last few output samples until enough look-ahead
 * input has arrived.
 *
 * <p>Design: the pass band ends at {@value #ROLLOFF} of the lower Nyquist frequency; the Kaiser
 * window ({@code beta} {@value #KAISER_BETA}) gives roughly 80 dB stop-band attenuation. Not
 * thread-safe: one instance per stream.
 */
public final class Resampler {

  private static final int ZERO_CROSSINGS = 16;
  private static final double ROLLOFF = 0.94;
  private static final double KAISER_BETA = 8.0;

  private final int inputRate;
  private final int outputRate;
  private final int up; // L: output rate / gcd
  private final int down; // M: input rate / gcd
  private final int halfWidth; // taps on each side of the centre, in input samples
  private final float[][] phases; // [L][2*halfWidth]: tap d applies to x[idx - d + halfWidth - 1]

  // Streaming state: input history starting at absolute input index bufferStart.
  private float[] buffer = new float[0];
  private int buffered;
  private long bufferStart;
  private long inputCount;
  private long outputCount;
  private boolean flushed;

  /**
   * A converter from {@code inputRate} to {@code outputRate} Hz.
   *
   * @throws IllegalArgumentException a rate is not positive
   */
  public Resampler(int inputRate, int outputRate) {
    if (inputRate <= 0 || outputRate <= 0) {
      throw new IllegalArgumentException(
          "sample rates must be positive, got " + inputRate + " -> " + outputRate);
    }
    this.inputRate = inputRate;
    this.outputRate = outputRate;
    int g = gcd(inputRate, outputRate);
    this.up = outputRate / g;
    this.down = inputRate / g;
    double cutoff = Math.min(1.0, (double) outputRate / inputRate) * ROLLOFF;
    this.halfWidth = inputRate == outputRate ? 0 : (int) Math.ceil(ZERO_CROSSINGS / cutoff);
    this.phases = inputRate == outputRate ? new float[0][] : buildPhases(up, halfWidth, cutoff);
  }

  /** Converts a whole signal at once. */
  public static float[] resample(float[] input, int inputRate, int outputRate) {
    Resampler r = new Resampler(inputRate, outputRate);
    float[] head = r.process(input);
    float[] tail = r.flush();
    float[] out = Arrays.copyOf(head, head.length + tail.length);
    System.arraycopy(tail, 0, out, head.length, tail.length);
    return out;
  }

  public int inputRate() {
    return inputRate;
  }

  public int outputRate() {
    return outputRate;
  }

  /** Output samples a whole input of {@code inputSamples} converts to: ceil(n * out / in). */
  public long outputLength(long inputSamples) {
    return (inputSamples * up + down - 1) / down;
  }

  /**
   * Feeds the next input samples; returns the output samples that are now final.
   *
   * @throws IllegalStateException after {@link #flush()}
   */
  public float[] process(float[] input) {
    if (flushed) {
      throw new IllegalStateException("resampler already flushed");
    }
    if (inputRate == outputRate) {
      inputCount += input.length;
      outputCount += input.length;
      return input.clone();
    }
    append(input, input.length);
    inputCount += input.length;
    return produce(false);
  }

  /** Ends the stream: returns the held-back output, as if silence followed the input. */
  public float[] flush() {
    if (flushed) {
      return new float[0];
    }
    flushed = true;
    if (inputRate == outputRate) {
      return new float[0];
    }
    return produce(true);
  }

  private float[] produce(boolean end) {
    long limit = outputLength(inputCount); // total outputs the whole input yields
    long count = 0;
    // Output n needs input up to floor(n*M/L) + halfWidth (unless the stream has ended).
    long n = outputCount;
    while (n < limit && (end || centre(n) + halfWidth < inputCount)) {
      n++;
      count++;
    }
    float[] out = new float[(int) count];
    for (int i = 0; i < out.length; i++) {
      out[i] = interpolate(outputCount + i);
    }
    outputCount += count;
    discardBefore(centre(outputCount) - halfWidth + 1);
    return out;
  }

  private long centre(long n) {
    return Math.floorDiv(n * down, up);
  }

  private float interpolate(long n) {
    long idx = centre(n);
    float[] taps = phases[(int) (n * down - idx * up)];
    // Inputs idx-halfWidth+1 .. idx+halfWidth contribute; those before 0 or after the end are
    // silence.
    long lo = Math.max(idx - halfWidth + 1, 0);
    long hi = Math.min(idx + halfWidth, inputCount - 1);
    double acc = 0;
    for (long j = lo; j <= hi; j++) {
      acc += taps[(int) (idx + halfWidth - j)] * buffer[(int) (j - bufferStart)];
    }
    return (float) acc;
  }

  private void append(float[] input, int length) {
    if (buffered + length > buffer.length) {
      buffer = Arrays.copyOf(buffer, Math.max(buffered + length, buffer.length * 2));
    }
    System.arraycopy(input, 0, buffer, buffered, length);
    buffered += length;
  }

  private void discardBefore(long index) {
    int drop = (int) Math.min(buffered, Math.max(0, index - bufferStart));
    if (drop > 0) {
      System.arraycopy(buffer, drop, buffer, 0, buffered - drop);
      buffered -= drop;
      bufferStart += drop;
    }
  }

  /**
   * Tap {@code d} of phase {@code p} weighs input {@code idx + halfWidth - d} for an output at
   * input time {@code idx + p/L}; its distance from that time is {@code t = p/L - halfWidth + d}.
   */
  private static float[][] buildPhases(int up, int halfWidth, double cutoff) {
    float[][] phases = new float[up][2 * halfWidth];
    double i0Beta = besselI0(KAISER_BETA);
    for (int p = 0; p < up; p++) {
      double sum = 0;
      double[] taps = new double[2 * halfWidth];
      for (int d = 0; d < taps.length; d++) {
        double t = (double) p / up - halfWidth + d;
        double x = t / halfWidth;
        if (Math.abs(x) >= 1) {
          continue;
        }
        double window = besselI0(KAISER_BETA * Math.sqrt(1 - x * x)) / i0Beta;
        taps[d] = cutoff * sinc(cutoff * t) * window;
        sum += taps[d];
      }
      for (int d = 0; d < taps.length; d++) {
        phases[p][d] = (float) (taps[d] / sum); // unity gain at DC in every phase
      }
    }
    return phases;
  }

  private static double sinc(double x) {
    if (Math.abs(x) < 1e-12) {
      return 1;
    }
    double px = Math.PI * x;
    return Math.sin(px) / px;
  }

  /** Modified Bessel function of the first kind, order 0 (series; converges fast for beta < 20). */
  private static double besselI0(double x) {
    double sum = 1;
    double term = 1;
    double half = x / 2;
    for (int k = 1; k < 50; k++) {
      term *= (half / k) * (half / k);
      sum += term;
      if (term < 1e-12 * sum) {
        break;
      }
    }
    return sum;
  }

  private static int gcd(int a, int b) {
    while (b != 0) {
      int t = a % b;
      a = b;
      b = t;
    }
    return a;
  }
}
