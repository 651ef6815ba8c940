package dev.parlance.tts.benchmarks.audio;

import dev.parlance.tts.core.audio.Resampler;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The resampler on one second of Parler audio (44.1 kHz): whole-signal, and streamed in the 512
 * sample (one DAC frame) chunks the engine produces.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx512m")
public class ResamplerBenchmark {

  public static final int INPUT_RATE = 44100;
  public static final int CHUNK = 512;

  @Param({"48000", "24000"})
  public int outputRate;

  private float[] second;

  @Setup(Level.Trial)
  public void setUp() {
    SplittableRandom rng = new SplittableRandom(1);
    second = new float[INPUT_RATE];
    for (int i = 0; i < second.length; i++) {
      double t = (double) i / INPUT_RATE;
      second[i] =
          (float)
              (0.5 * Math.sin(2 * Math.PI * (200 + 4000 * t) * t)
                  + 0.05 * (rng.nextDouble() - 0.5));
    }
  }

  @Benchmark
  public float[] whole() {
    return Resampler.resample(second, INPUT_RATE, outputRate);
  }

  @Benchmark
  public int streamed() {
    Resampler r = new Resampler(INPUT_RATE, outputRate);
    int produced = 0;
    float[] chunk = new float[CHUNK];
    for (int at = 0; at < second.length; at += CHUNK) {
      int n = Math.min(CHUNK, second.length - at);
      if (n != CHUNK) {
        chunk = new float[n];
      }
      System.arraycopy(second, at, chunk, 0, n);
      produced += r.process(chunk).length;
    }
    return produced + r.flush().length;
  }
}
