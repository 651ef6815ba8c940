package dev.parlance.tts.benchmarks.http;

import dev.parlance.tts.benchmarks.BenchDevice;
import dev.parlance.tts.benchmarks.checkpoint.BenchCheckpoints;
import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsRequest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
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
 * the same engine ({@link #spiInProcess}). Their ratio is the HTTP layer's cost: JSON, admission,
 * WAV encoding, Jetty and the {@code java.net.http} client. {@link #httpLoopbackOpus} adds the
 * resampling to 48 kHz and the Ogg Opus encoding; {@link #httpStreamFirstByte} is the streaming
 * time to the first audio byte, floored by the first chunk of the SPI stream ({@link
 * #spiFirstAudio}).
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
            BenchDevice.setting(),
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

  /** The same round trip as 48 kHz Ogg Opus: adds the resampler and the Opus encoder. */
  @Benchmark
  public byte[] httpLoopbackOpus() {
    return server.postJson("/synthesize", httpBody("opus", false));
  }

  /**
   * The streaming floor: the SPI stream's first non-empty chunk. The rest of the stream is read
   * after the clock stops ({@link Pending}), so every invocation synthesises in full.
   */
  @Benchmark
  public AudioChunk spiFirstAudio(Pending pending) {
    AudioStream stream = server.engine().stream(request);
    pending.rest = stream;
    while (stream.hasNext()) {
      AudioChunk chunk = stream.next();
      if (chunk.size() > 0) {
        return chunk;
      }
    }
    throw new IllegalStateException("the stream ended without audio");
  }

  /**
   * Streaming over HTTP ({@code "stream": true}, WAV at the engine's rate): time to the first bytes
   * of the body, which the server sends together with the first audio (the WAV header waits for
   * it). The rest is read after the clock stops.
   */
  @Benchmark
  public int httpStreamFirstByte(Pending pending) {
    InputStream body = server.postJsonStreaming("/synthesize", httpBody("wav", true));
    pending.rest = body;
    try {
      int first = body.read();
      if (first < 0) {
        throw new IllegalStateException("the stream ended without audio");
      }
      return first;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The unread rest of a streaming invocation: drained and closed after the clock stops, so the
   * next invocation does not overlap this one's synthesis.
   */
  @State(Scope.Thread)
  public static class Pending {
    AutoCloseable rest;

    @TearDown(Level.Invocation)
    public void drain() throws Exception {
      if (rest instanceof AudioStream stream) {
        stream.readAll();
      } else if (rest instanceof InputStream in) {
        in.transferTo(OutputStream.nullOutputStream());
      }
      if (rest != null) {
        rest.close();
      }
      rest = null;
    }
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
    return httpBody("wav", false);
  }

  static String httpBody(String format, boolean stream) {
    return "{\"text\":\""
        + TEXT
        + "\",\"description\":\""
        + DESCRIPTION
        + "\",\"seed\":"
        + SEED
        + ",\"max_duration\":"
        + MAX_SECONDS
        + ",\"format\":\""
        + format
        + "\",\"stream\":"
        + stream
        + "}";
  }
}
