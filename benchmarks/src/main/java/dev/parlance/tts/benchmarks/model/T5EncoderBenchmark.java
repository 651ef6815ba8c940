package dev.parlance.tts.benchmarks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.parlance.tts.benchmarks.BenchDevice;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.model.t5.T5Config;
import dev.parlance.tts.core.model.t5.T5Encoder;
import java.util.Arrays;
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
 * The mini-v1 T5 encoder (flan-t5-large sized) on one 40-token description, with float32
 * projections ({@code dtype} float32/float16) or bfloat16 ones ({@code dtype} bfloat16/int8).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "-Dai.djl.offline=true"})
public class T5EncoderBenchmark {

  @Param({"float32", "bfloat16"})
  public String weights;

  private NDManager manager;
  private T5Encoder encoder;
  private long[] ids;

  @Setup(Level.Trial)
  public void setUp() {
    manager = NDManager.newBaseManager(BenchDevice.get());
    T5Config config = T5Config.fromJson(BenchModel.config().textEncoder());
    try (TensorSource source = BenchModel.weights()) {
      encoder =
          T5Encoder.load(source, "text_encoder.", config, manager, BenchDevice.weights(weights));
    }
    ids = BenchModel.descriptionIds();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    encoder.close();
    manager.close();
  }

  @Benchmark
  public NDArray encode() {
    try (NDManager request = manager.newSubManager()) {
      long[] mask = new long[ids.length];
      Arrays.fill(mask, 1);
      Shape shape = new Shape(1, ids.length);
      NDArray out = encoder.encode(request.create(ids, shape), request.create(mask, shape));
      BenchDevice.await(out);
      return out;
    }
  }
}
