package dev.parlance.tts.http;

import static org.junit.jupiter.api.Assertions.fail;

import dev.parlance.tts.core.audio.Resampler;
import dev.parlance.tts.http.config.ServerConfig;
import dev.parlance.tts.http.testengine.SteerableEngine;
import dev.parlance.tts.spi.Pcm16;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsEngines;
import dev.parlance.tts.spi.TtsRequest;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Function;
import java.util.function.Supplier;

/** A real server on 127.0.0.1 and an ephemeral port, with a java.net.http client. */
final class TestServer implements AutoCloseable {
  /**
   * The engine the server tests run on: the real Parler engine on the tiny fixture checkpoint (the
   * test-only {@code sine} engine stays available for the few tests that need many chunks).
   */
  static final Supplier<TtsEngine> ENGINE = () -> parler(Map.of());

  /** The Parler engine on the tiny fixture checkpoint, with extra engine options. */
  static TtsEngine parler(Map<String, String> options) {
    return TtsEngines.load(
        "parler",
        TtsEngineConfig.builder()
            .model(fixture().toString())
            .device("cpu")
            .options(options)
            .build());
  }

  private static Path fixture() {
    return Path.of(System.getProperty("tts.fixtures.dir"), "tiny-mini-v1-arch");
  }

  final ParlanceServer server;
  final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();
  final AtomicReference<Throwable> loadFailure = new AtomicReference<>();
  final AtomicReference<SteerableEngine> engine = new AtomicReference<>();

  private TestServer(Map<String, String> env, Function<ServerConfig, TtsEngine> engine) {
    Map<String, String> all = new HashMap<>(env);
    all.put(ServerConfig.Env.HOST, "127.0.0.1");
    all.put(ServerConfig.Env.PORT, "0");
    all.putIfAbsent(ServerConfig.Env.MODEL_PATH, fixture().toString());
    all.putIfAbsent(ServerConfig.Env.DEVICE, "cpu");
    ServerConfig config = ServerConfig.fromEnv(all);
    server =
        ParlanceServer.start(
            config,
            () -> {
              SteerableEngine e = new SteerableEngine(engine.apply(config));
              this.engine.set(e);
              return e;
            },
            loadFailure::set);
  }

  /**
   * A ready server with the Parler engine loaded as the server loads it, from {@code env}'s engine
   * settings (the tiny fixture on the CPU unless {@code env} says otherwise).
   */
  static TestServer start(Map<String, String> env) {
    TestServer s = startUnready(env);
    s.awaitReady();
    return s;
  }

  /** {@link #start} without waiting for readiness. */
  static TestServer startUnready(Map<String, String> env) {
    return new TestServer(env, c -> TtsEngines.load(c.modelType(), c.engineConfig()));
  }

  /** A server whose engine comes from {@code engine}; does not wait for readiness. */
  static TestServer startUnready(Map<String, String> env, Supplier<TtsEngine> engine) {
    return new TestServer(env, c -> engine.get());
  }

  void awaitReady() {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      if (loadFailure.get() != null) {
        fail("engine failed to load", loadFailure.get());
      }
      try {
        if (get("/ready").statusCode() == 200) {
          return;
        }
        Thread.sleep(20);
      } catch (IOException | InterruptedException e) {
        fail(e);
      }
    }
    fail("server not ready within 60 s");
  }

  /** The engine as the server sees it, for steering (overload, pacing) and checking requests. */
  SteerableEngine engine() {
    return engine.get();
  }

  /** The engine's output rate. */
  int engineRate() {
    return engine().audioFormat().sampleRate();
  }

  /**
   * What the engine says for {@code request} when asked directly, as 16-bit samples at {@code rate}
   * (resampled with the same resampler as the server): what the HTTP audio must match.
   */
  short[] reference(TtsRequest request, int rate) {
    float[] samples = engine().reference(request).samples();
    if (rate != engineRate()) {
      samples = Resampler.resample(samples, engineRate(), rate);
    }
    return Pcm16.toShorts(samples);
  }

  URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  HttpRequest.Builder request(String path) {
    return HttpRequest.newBuilder(uri(path)).timeout(Duration.ofSeconds(60));
  }

  HttpResponse<String> get(String path, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b = request(path).GET();
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  HttpResponse<byte[]> postJson(String path, String json, String... headers)
      throws IOException, InterruptedException {
    HttpRequest.Builder b =
        request(path)
            .header("Content-Type", "application/json")
            .POST(HttpRequest.BodyPublishers.ofString(json));
    if (headers.length > 0) {
      b.headers(headers);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofByteArray());
  }

  @Override
  public void close() {
    server.shutdown();
  }
}
