package dev.parlance.tts.benchmarks.model;

import dev.parlance.tts.benchmarks.BenchDevice;
import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsEngines;
import dev.parlance.tts.spi.TtsRequest;
import java.time.Duration;
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
 * End to end through the SPI ({@code TtsEngines.load("parler", ...)} on the random mini-v1
 * checkpoint): a whole {@value #SECONDS} s utterance (real-time factor = time / audio duration),
 * and a stream's time to first audio. Random weights never emit EOS, so every utterance is exactly
 * the requested {@code maxDuration} long.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 1, time = 1)
@Measurement(iterations = 2, time = 1)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "-Dai.djl.offline=true"})
public class SynthesisBenchmark {

  /** Requested audio length. */
  public static final double SECONDS = 2.0;

  /** The engine's {@code dtype} setting: the decoder's precision (T5 and DAC stay float32). */
  @Param({"float32", "float16", "bfloat16", "int8"})
  public String decoderDtype;

  private TtsEngine engine;
  private TtsRequest request;

  @Setup(Level.Trial)
  public void setUp() {
    String device = BenchDevice.setting();
    engine =
        TtsEngines.load(
            "parler",
            TtsEngineConfig.builder()
                .model(BenchModel.dir().toString())
                .device(device)
                .dtype(decoderDtype)
                .option("phrase_cache_bytes", "0") // a seeded request would be served from it
                .build());
    request =
        TtsRequest.builder()
            .text("Benchmarks measure real compute without real weights.")
            .description("A calm voice, close to the microphone.")
            .sampling(
                SamplingOptions.builder()
                    .seed(1)
                    .maxDuration(Duration.ofMillis((long) (SECONDS * 1000)))
                    .build())
            .build();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    engine.close();
  }

  /** The whole utterance; its audio must be the requested length. */
  @Benchmark
  public AudioClip synthesize() {
    AudioClip clip = engine.synthesize(request);
    if (Math.abs(clip.duration().toMillis() - SECONDS * 1000) > 50) {
      throw new IllegalStateException(
          "expected " + SECONDS + " s of audio, got " + clip.duration());
    }
    return clip;
  }

  /** Time until the first chunk of a stream arrives; the rest is cancelled. */
  @Benchmark
  public AudioChunk timeToFirstAudio() {
    try (AudioStream stream = engine.stream(request)) {
      return stream.next();
    }
  }
}
