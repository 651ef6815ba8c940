package dev.parlance.tts.benchmarks.floors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;
import dev.parlance.tts.benchmarks.BenchDevice;
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
 * The matrix-vector floor, DJL {@code matMul} (B,H)x(H,N) at mini-v1 shapes:
 *
 * <ul>
 *   <li>{@code matvecStreamed}: cycling through {@value #LAYERS} distinct weight matrices (≥ 200
 *       MB, far beyond L3), as a decoder step streams its weights from DRAM;
 *   <li>{@code matvecHot}: one matrix that stays cache-resident;
 *   <li>{@code linearStreamed}: the same product as the model computes it, {@code Linear.linear} =
 *       x·Wᵀ on weights stored (N,H) as in the checkpoint (torch {@code addmm}/{@code linear}).
 * </ul>
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g", "-Dai.djl.offline=true"})
public class MatmulBenchmark {

  /** Distinct weight matrices cycled through by the streamed product (mini-v1 has 24 layers). */
  public static final int LAYERS = 24;

  @Param({"1024"})
  public int hidden;

  /** 4096 = fc1 (F), 3072 = a fused q/k/v projection. */
  @Param({"4096"})
  public int outFeatures;

  @Param({"1", "8"})
  public int batch;

  @Param({"float32", "float16"})
  public String dtype;

  private NDManager manager;
  private NDArray[] weights;
  private NDArray[] transposed;
  private NDArray x;
  private int next;

  @Setup(Level.Trial)
  public void setUp() {
    manager = NDManager.newBaseManager(BenchDevice.get());
    DataType type = BenchDevice.dtype(dtype);
    weights = new NDArray[LAYERS];
    transposed = new NDArray[LAYERS];
    for (int i = 0; i < LAYERS; i++) {
      weights[i] = random(manager, new Shape(hidden, outFeatures), type);
      transposed[i] = random(manager, new Shape(outFeatures, hidden), type);
    }
    x = random(manager, new Shape(batch, hidden), type);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  /** One (B,H)x(H,N) product on the next weight matrix: reads H*N weights from DRAM. */
  @Benchmark
  public long matvecStreamed() {
    NDArray w = weights[next];
    next = (next + 1) % LAYERS;
    try (NDArray y = x.matMul(w)) {
      BenchDevice.await(y);
      return y.getShape().size();
    }
  }

  /** x·Wᵀ through {@code Linear.linear} on the next (N,H) matrix, as the decoder does. */
  @Benchmark
  public long linearStreamed() {
    NDArray w = transposed[next];
    next = (next + 1) % LAYERS;
    try (NDArray y = Linear.linear(x, w).singletonOrThrow()) {
      BenchDevice.await(y);
      return y.getShape().size();
    }
  }

  /** The same product on one matrix, warm in cache. */
  @Benchmark
  public long matvecHot() {
    try (NDArray y = x.matMul(weights[0])) {
      BenchDevice.await(y);
      return y.getShape().size();
    }
  }

  /** Uniform in [-1, 1) of {@code type}, without keeping a float32 copy around. */
  static NDArray random(NDManager manager, Shape shape, DataType type) {
    NDArray f32 = manager.randomUniform(-1, 1, shape, DataType.FLOAT32);
    if (type == DataType.FLOAT32) {
      return f32;
    }
    try (f32) {
      return f32.toType(type, true);
    }
  }
}
