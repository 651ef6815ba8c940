package dev.parlance.tts.core.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ResamplerTest {

  private static float[] sine(double freq, int rate, int samples, double amplitude) {
    float[] x = new float[samples];
    for (int i = 0; i < samples; i++) {
      x[i] = (float) (amplitude * Math.sin(2 * Math.PI * freq * i / rate));
    }
    return x;
  }

  /** Amplitude of the component at {@code freq} (single-bin DFT over the middle of the signal). */
  private static double amplitudeAt(float[] x, double freq, int rate) {
    int from = x.length / 4;
    int to = 3 * x.length / 4;
    double re = 0;
    double im = 0;
    for (int i = from; i < to; i++) {
      double w = 2 * Math.PI * freq * i / rate;
      re += x[i] * Math.cos(w);
      im += x[i] * Math.sin(w);
    }
    return 2 * Math.hypot(re, im) / (to - from);
  }

  private static double rms(float[] x, int from, int to) {
    double s = 0;
    for (int i = from; i < to; i++) {
      s += (double) x[i] * x[i];
    }
    return Math.sqrt(s / (to - from));
  }

  @ParameterizedTest
  @CsvSource({
    "44100,48000",
    "44100,24000",
    "44100,16000",
    "44100,8000",
    "24000,48000",
    "48000,44100"
  })
  void keepsFrequencyAndLevelOfAnInBandTone(int in, int out) {
    double freq = 1000;
    float[] x = sine(freq, in, in, 0.5); // one second
    float[] y = Resampler.resample(x, in, out);
    assertEquals((long) Math.ceil((double) x.length * out / in), y.length);
    assertEquals(0.5, amplitudeAt(y, freq, out), 0.005, "level kept");
    assertTrue(amplitudeAt(y, freq * 1.1, out) < 0.01, "energy stays at the tone's frequency");
  }

  @Test
  void attenuatesToneAboveTheNewNyquist() {
    // 18 kHz is legal at 44.1 kHz but above 24 kHz's 12 kHz Nyquist: must not alias to 6 kHz.
    float[] x = sine(18_000, 44_100, 44_100, 0.5);
    float[] y = Resampler.resample(x, 44_100, 24_000);
    double leaked = rms(y, y.length / 4, 3 * y.length / 4);
    assertTrue(leaked < 0.5 / Math.sqrt(2) * 1e-3, "alias below -60 dB, got rms " + leaked);
  }

  @Test
  void streamingInRandomChunksEqualsOneShot() {
    Random random = new Random(42);
    float[] x = new float[20_000];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) (random.nextGaussian() * 0.3);
    }
    for (int[] rates : new int[][] {{44_100, 48_000}, {44_100, 24_000}, {44_100, 8_000}}) {
      float[] whole = Resampler.resample(x, rates[0], rates[1]);
      Resampler r = new Resampler(rates[0], rates[1]);
      List<float[]> parts = new ArrayList<>();
      int at = 0;
      while (at < x.length) {
        int n = Math.min(x.length - at, random.nextInt(700));
        float[] chunk = new float[n];
        System.arraycopy(x, at, chunk, 0, n);
        parts.add(r.process(chunk));
        at += n;
      }
      parts.add(r.flush());
      int total = parts.stream().mapToInt(p -> p.length).sum();
      float[] joined = new float[total];
      int o = 0;
      for (float[] p : parts) {
        System.arraycopy(p, 0, joined, o, p.length);
        o += p.length;
      }
      assertArrayEquals(whole, joined, rates[0] + "->" + rates[1]);
    }
  }

  @Test
  void noClickAtChunkJoins() {
    // A continuous tone fed in 20 ms chunks: no sample-to-sample jump larger than the tone allows.
    int in = 44_100;
    int out = 48_000;
    float[] x = sine(440, in, in, 0.8);
    Resampler r = new Resampler(in, out);
    List<Float> y = new ArrayList<>();
    for (int at = 0; at < x.length; at += 882) {
      float[] chunk = new float[Math.min(882, x.length - at)];
      System.arraycopy(x, at, chunk, 0, chunk.length);
      for (float v : r.process(chunk)) {
        y.add(v);
      }
    }
    double maxStep = 2 * Math.PI * 440 / out * 0.8 * 1.05;
    for (int i = 1000; i < y.size() - 1000; i++) {
      assertTrue(Math.abs(y.get(i) - y.get(i - 1)) <= maxStep, "jump at " + i);
    }
  }

  @Test
  void sameRateIsIdentityAndFlushIsFinal() {
    float[] x = {0.1f, -0.2f, 0.3f};
    assertArrayEquals(x, Resampler.resample(x, 16_000, 16_000));
    Resampler r = new Resampler(44_100, 48_000);
    r.process(x);
    r.flush();
    assertEquals(0, r.flush().length);
    assertThrows(IllegalStateException.class, () -> r.process(x));
    assertThrows(IllegalArgumentException.class, () -> new Resampler(0, 48_000));
  }
}
