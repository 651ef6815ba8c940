package dev.parlance.tts.benchmarks.http;

import dev.parlance.tts.http.ParlanceServer;
import dev.parlance.tts.http.config.ServerConfig;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsEngines;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The Parlance HTTP server started in-process on 127.0.0.1 and an ephemeral port, with a {@code
 * java.net.http} client, and the engine it serves (so a benchmark can call the same engine through
 * the SPI as the floor of the HTTP round trip).
 */
public final class LoopbackServer implements AutoCloseable {

  private static final Duration READY_TIMEOUT = Duration.ofSeconds(120);

  private final ParlanceServer server;
  private final AtomicReference<TtsEngine> engine = new AtomicReference<>();
  private final AtomicReference<Throwable> loadFailure = new AtomicReference<>();
  private final HttpClient http =
      HttpClient.newBuilder()
          .version(HttpClient.Version.HTTP_1_1)
          .connectTimeout(Duration.ofSeconds(5))
          .build();

  private LoopbackServer(ServerConfig config) {
    server =
        ParlanceServer.start(
            config,
            () -> {
              TtsEngine e = TtsEngines.load(config.modelType(), config.engineConfig());
              engine.set(e);
              return e;
            },
            loadFailure::set);
  }

  /**
   * Starts a server on {@code checkpoint} and waits until {@code /ready} says 200.
   *
   * @param device the engine's device ({@code cpu}, {@code cuda}, ...)
   * @param engineOptions {@code TTS_ENGINE_OPTIONS}, e.g. {@code phrase_cache_bytes=0}; may be
   *     empty
   */
  public static LoopbackServer start(Path checkpoint, String device, String engineOptions) {
    ServerConfig config =
        ServerConfig.fromEnv(
            Map.of(
                ServerConfig.Env.MODEL_TYPE,
                "parler",
                ServerConfig.Env.MODEL_PATH,
                checkpoint.toString(),
                ServerConfig.Env.DEVICE,
                device,
                ServerConfig.Env.ENGINE_OPTIONS,
                engineOptions,
                ServerConfig.Env.HOST,
                "127.0.0.1",
                ServerConfig.Env.PORT,
                "0"));
    LoopbackServer s = new LoopbackServer(config);
    try {
      s.awaitReady();
    } catch (RuntimeException e) {
      s.close();
      throw e;
    }
    return s;
  }

  private void awaitReady() {
    long deadline = System.nanoTime() + READY_TIMEOUT.toNanos();
    while (System.nanoTime() < deadline) {
      if (loadFailure.get() != null) {
        throw new IllegalStateException("engine failed to load", loadFailure.get());
      }
      HttpRequest ready = HttpRequest.newBuilder(uri("/ready")).timeout(READY_TIMEOUT).build();
      if (send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
        return;
      }
      try {
        Thread.sleep(20);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException("interrupted waiting for /ready", e);
      }
    }
    throw new IllegalStateException("server not ready within " + READY_TIMEOUT);
  }

  /** The engine the server serves; the same instance handles the HTTP requests. */
  public TtsEngine engine() {
    return engine.get();
  }

  /** The bound port. */
  public int port() {
    return server.port();
  }

  /** POSTs {@code json} to {@code path}; the response body, which must come with status 200. */
  public byte[] postJson(String path, String json) {
    HttpResponse<byte[]> response = send(post(path, json), HttpResponse.BodyHandlers.ofByteArray());
    if (response.statusCode() != 200) {
      throw new IllegalStateException(
          path + " answered " + response.statusCode() + ": " + new String(response.body()));
    }
    return response.body();
  }

  /**
   * POSTs {@code json} to {@code path} and returns the response body as it arrives, once the status
   * (which must be 200) is in; the caller closes it.
   */
  public InputStream postJsonStreaming(String path, String json) {
    HttpResponse<InputStream> response =
        send(post(path, json), HttpResponse.BodyHandlers.ofInputStream());
    if (response.statusCode() != 200) {
      try (InputStream body = response.body()) {
        throw new IllegalStateException(
            path + " answered " + response.statusCode() + ": " + new String(body.readAllBytes()));
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
    }
    return response.body();
  }

  private HttpRequest post(String path, String json) {
    return HttpRequest.newBuilder(uri(path))
        .timeout(Duration.ofMinutes(5))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(json))
        .build();
  }

  private URI uri(String path) {
    return URI.create("http://127.0.0.1:" + server.port() + path);
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> body) {
    try {
      return http.send(request, body);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException("interrupted", e);
    }
  }

  /** Stops the server, which closes its engine. */
  @Override
  public void close() {
    server.shutdown();
  }
}
