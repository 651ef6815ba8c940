package dev.parlance.tts.benchmarks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.parlance.tts.benchmarks.BenchDevice;
import dev.parlance.tts.benchmarks.floors.MatmulBenchmark;
import dev.parlance.tts.core.kernel.Projection;
import dev.parlance.tts.core.kernel.WeightPacker;
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
 * The weight products of a decoder step without the rest of it: x (B,1,1024) times the next of
 * {@value MatmulBenchmark#LAYERS} distinct (4096, 1024) fc1-sized weights (403 MB in float32, far
 * beyond L3), packed by the engine's {@link WeightPacker} exactly as the decoder packs its
 * projections. Set beside {@link DecoderStepBenchmark}, it splits the step's distance from the
 * bandwidth floor into the kernels' own read rate and everything else in the step.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g", "-Dai.djl.offline=true"})
public class ProjectionBenchmark {

  public static final int IN = 1024;
  public static final int OUT = 4096;

  @Param({"float32", "bfloat16", "int8"})
  public String weights;

  @Param({"1", "8"})
  public int rows;

  private NDManager manager;
  private Projection[] projections;
  private NDArray x;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    manager = NDManager.newBaseManager(BenchDevice.get());
    WeightPacker packer = new WeightPacker(manager, BenchDevice.weights(weights));
    projections = new Projection[MatmulBenchmark.LAYERS];
    for (int i = 0; i < MatmulBenchmark.LAYERS; i++) {
      projections[i] =
          packer.pack(manager.randomUniform(-1, 1, new Shape(OUT, IN), DataType.FLOAT32));
    }
    x = manager.randomUniform(-1, 1, new Shape(rows, 1, IN), DataType.FLOAT32);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  /** One product on the next weight: reads its OUT*IN weights from DRAM. */
  @Benchmark
  public long streamed() {
    Projection p = projections[next];
    next = (next + 1) % MatmulBenchmark.LAYERS;
    try (NDArray y = p.apply(x)) {
      BenchDevice.await(y);
      return y.getShape().size();
    }
  }
}
