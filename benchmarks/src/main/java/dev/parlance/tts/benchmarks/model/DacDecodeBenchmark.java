package dev.parlance.tts.benchmarks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.parlance.tts.benchmarks.BenchDevice;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.model.dac.DacDecoder;
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
 * DAC decode of one second of audio: {@value #FRAMES} frames of 9 codes (44 544 samples at 44.1
 * kHz), float32 as the engine runs it.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 3, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "-Dai.djl.offline=true"})
public class DacDecodeBenchmark {

  /** ceil(44100 / 512): one second. */
  public static final int FRAMES = 87;

  private NDManager manager;
  private DacDecoder dac;
  private long[] codes;
  private int codebooks;

  @Setup(Level.Trial)
  public void setUp() {
    manager = NDManager.newBaseManager(BenchDevice.get());
    try (TensorSource source = BenchModel.weights()) {
      dac = DacDecoder.load(source, "audio_encoder.", manager, DataType.FLOAT32);
    }
    codebooks = dac.config().numCodebooks();
    codes = new long[codebooks * FRAMES];
    for (int i = 0; i < codes.length; i++) {
      codes[i] = (i * 7919L) % dac.config().codebookSize();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    dac.close();
    manager.close();
  }

  @Benchmark
  public float decode() {
    try (NDManager request = manager.newSubManager()) {
      NDArray audio = dac.decode(request.create(codes, new Shape(1, codebooks, FRAMES)));
      BenchDevice.await(audio);
      float first = audio.getFloat(0, 0);
      if (!Float.isFinite(first)) {
        throw new IllegalStateException("DAC produced " + first + ": random weights badly scaled");
      }
      return first;
    }
  }
}
