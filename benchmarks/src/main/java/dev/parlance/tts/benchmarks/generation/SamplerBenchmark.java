package dev.parlance.tts.benchmarks.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.parlance.tts.benchmarks.BenchDevice;
import dev.parlance.tts.core.generation.SamplingRows;
import dev.parlance.tts.core.generation.SamplingSettings;
import dev.parlance.tts.core.generation.TokenSampler;
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
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Choosing one decoder step's tokens on the device: mini-v1's K = 9 codebook rows of V = 1088
 * logits per request, from float32 logits already on the device to token ids on the host.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g", "-Dai.djl.offline=true"})
public class SamplerBenchmark {
  public static final int CODEBOOKS = 9;
  public static final int VOCAB = 1088;
  private static final int EOS = 1024;

  /** Requests in the step. */
  @Param({"1", "8"})
  public int requests;

  /** The checkpoint's settings (top-k 50), with a nucleus filter too, or greedy. */
  @Param({"topk50", "topk50-topp0.9", "greedy"})
  public String settings;

  private NDManager manager;
  private NDArray logits;
  private SamplingSettings sampling;
  private TokenSampler sampler;
  private SplittableRandom random;

  @Setup(Level.Trial)
  public void setUp() {
    manager = NDManager.newBaseManager(BenchDevice.get());
    int rows = requests * CODEBOOKS;
    float[] z = new float[rows * VOCAB];
    SplittableRandom values = new SplittableRandom(1);
    for (int i = 0; i < z.length; i++) {
      z[i] = (float) (values.nextDouble() * 12 - 6);
    }
    logits = manager.create(z, new Shape(rows, VOCAB));
    sampling =
        switch (settings) {
          case "topk50" -> new SamplingSettings(false, 1, 50, 1, 0, 2, 0);
          case "topk50-topp0.9" -> new SamplingSettings(false, 1, 50, 0.9, 0, 2, 0);
          case "greedy" -> new SamplingSettings(true, 1, 0, 1, 0, 2, 0);
          default -> throw new IllegalArgumentException("settings " + settings);
        };
    sampler = TokenSampler.on(manager.getDevice());
    random = new SplittableRandom(2);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  @Benchmark
  public long[] choose() {
    SamplingRows rows = new SamplingRows(requests * CODEBOOKS, VOCAB);
    for (int r = 0; r < rows.size(); r++) {
      if (sampling.greedy()) {
        rows.greedy(r, false);
      } else {
        rows.sample(r, sampling, random.nextDouble(), false);
      }
    }
    return sampler.choose(logits, rows, EOS);
  }
}
