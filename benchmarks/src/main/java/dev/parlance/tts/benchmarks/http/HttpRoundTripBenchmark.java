package dev.parlance.tts.benchmarks.http;

import dev.parlance.tts.benchmarks.BenchDevice;
import dev.parlance.tts.benchmarks.checkpoint.BenchCheckpoints;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.SamplingOptions;
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
 * The HTTP round trip over loopback: {@code POST /synthesize} (one complete WAV) to the Parlance
 * server started in-process on 127.0.0.1, against its floor, the same request through the SPI on
 * the same engine in the same fork ({@link #spiInProcess}). Their ratio is the HTTP layer's cost:
 * JSON, admission, WAV encoding, Jetty and the {@code java.net.http} client.
 *
 * <p>{@code cache=miss} runs the server with no phrase cache, so every request synthesises; {@code
 * cache=hit} keeps the default cache, so after the first request both paths only copy the clip out
 * of it, which isolates the HTTP cost. The checkpoint is the tiny fixture ({@code
 * tts.fixtures.dir}/{@code tiny-mini-v1-arch}): its synthesis takes milliseconds, so the HTTP layer
 * is visible beside it (on mini-v1 shapes it would be lost in a minute of decoding).
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g", "-Dai.djl.offline=true"})
public class HttpRoundTripBenchmark {

  static final String TEXT = "Hello from the loopback benchmark.";
  static final String DESCRIPTION = "A calm voice, close to the microphone.";
  static final long SEED = 42;
  static final int MAX_SECONDS = 2;

  /** {@code miss}: no phrase cache, every request synthesises; {@code hit}: served from it. */
  @Param({"miss", "hit"})
  public String cache;

  private LoopbackServer server;
  private TtsRequest request;

  @Setup(Level.Trial)
  public void setUp() {
    server =
        LoopbackServer.start(
            BenchCheckpoints.defaultTokenizerDir(),
            System.getProperty(BenchDevice.PROPERTY, "cpu"),
            cache.equals("miss") ? "phrase_cache_bytes=0" : "");
    request = spiRequest();
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    server.close();
  }

  /** The floor: the same synthesis through the SPI, in-process, on the server's engine. */
  @Benchmark
  public AudioClip spiInProcess() {
    return server.engine().synthesize(request);
  }

  /** The round trip: request, synthesis, WAV encoding, response body read in full. */
  @Benchmark
  public byte[] httpLoopback() {
    return server.postJson("/synthesize", httpBody());
  }

  /** The server's port, while a trial runs. */
  int port() {
    return server.port();
  }

  /** The request both paths make; the server builds the same one from {@link #httpBody()}. */
  static TtsRequest spiRequest() {
    return TtsRequest.builder()
        .text(TEXT)
        .description(DESCRIPTION)
        .sampling(
            SamplingOptions.builder()
                .seed(SEED)
                .maxDuration(Duration.ofSeconds(MAX_SECONDS))
                .build())
        .build();
  }

  static String httpBody() {
    return "{\"text\":\""
        + TEXT
        + "\",\"description\":\""
        + DESCRIPTION
        + "\",\"seed\":"
        + SEED
        + ",\"max_duration\":"
        + MAX_SECONDS
        + ",\"format\":\"wav\"}";
  }
}
