package dev.parlance.tts.benchmarks.floors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
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
 * The compute floor: a compute-bound DJL {@code matMul} (M,K)x(K,N) = (512,1024)x(1024,4096), 4.3
 * GFLOP, whose rate bounds every large-matrix workload (DAC convolutions, T5 on a sentence).
 * float16 is off by default: libtorch's CPU half-precision GEMM is ~80x slower than float32 (add
 * {@code -p dtype=float32,float16}, or run it on CUDA).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g", "-Dai.djl.offline=true"})
public class GemmBenchmark {

  public static final int M = 512;
  public static final int K = 1024;
  public static final int N = 4096;

  @Param({"float32"})
  public String dtype;

  private NDManager manager;
  private NDArray a;
  private NDArray b;

  @Setup(Level.Trial)
  public void setUp() {
    manager = NDManager.newBaseManager(BenchDevice.get());
    DataType type = BenchDevice.dtype(dtype);
    a = MatmulBenchmark.random(manager, new Shape(M, K), type);
    b = MatmulBenchmark.random(manager, new Shape(K, N), type);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  @Benchmark
  public long gemm() {
    try (NDArray y = a.matMul(b)) {
      BenchDevice.await(y);
      return y.getShape().size();
    }
  }
}
