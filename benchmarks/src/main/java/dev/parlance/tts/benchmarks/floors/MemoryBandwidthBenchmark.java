package dev.parlance.tts.benchmarks.floors;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
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
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The memory-bandwidth floor: {@value #BYTES} bytes (8x the 32 MiB L3 of the reference machine)
 * copied by the JVM and through DJL, and read once by a DJL reduction. The decoder step's floor is
 * the bytes it must read divided by the best of these rates (see {@code report.Workloads}).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g", "-Dai.djl.offline=true"})
public class MemoryBandwidthBenchmark {

  /** Bytes per buffer. */
  public static final int BYTES = 256 << 20;

  private byte[] javaSource;
  private byte[] javaTarget;
  private NDManager manager;
  private NDArray source;
  private NDArray target;

  @Setup(Level.Trial)
  public void setUp() {
    javaSource = new byte[BYTES];
    javaTarget = new byte[BYTES];
    for (int i = 0; i < BYTES; i += 4096) {
      javaSource[i] = (byte) i; // touch every page
    }
    manager = NDManager.newBaseManager(BenchDevice.get());
    source = manager.randomUniform(0, 1, new Shape(BYTES / 4), DataType.FLOAT32);
    target = manager.zeros(new Shape(BYTES / 4), DataType.FLOAT32);
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    manager.close();
  }

  /** JVM copy: reads and writes {@value #BYTES} bytes each. */
  @Benchmark
  public byte[] javaArrayCopy() {
    System.arraycopy(javaSource, 0, javaTarget, 0, BYTES);
    return javaTarget;
  }

  /** DJL copy into a preallocated array (torch {@code copy_}): reads and writes. */
  @Benchmark
  public NDArray djlCopyInto() {
    target.set(new NDIndex(":"), source);
    BenchDevice.await(target);
    return target;
  }

  /** DJL {@code duplicate()} (torch {@code clone}): reads, allocates and writes. */
  @Benchmark
  public float djlDuplicate() {
    try (NDArray copy = source.duplicate()) {
      BenchDevice.await(copy);
      return copy.getShape().size();
    }
  }

  /**
   * DJL sum: reads {@value #BYTES} bytes once, writes nothing (a decoder step's access pattern).
   */
  @Benchmark
  public float djlReadSum() {
    try (NDArray sum = source.sum()) {
      return sum.getFloat();
    }
  }
}
