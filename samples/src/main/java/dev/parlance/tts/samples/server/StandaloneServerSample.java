package dev.parlance.tts.samples.server;

import dev.parlance.tts.http.ParlanceServer;
import dev.parlance.tts.http.config.ServerConfig;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;

/**
 * The standalone HTTP server, started from Java: the same server {@code java -jar
 * parlance-server.jar} runs, configured with the same {@code TTS_*} settings (here as a map on top
 * of the process environment). It waits until the model is ready, asks itself for speech through
 * the OpenAI-compatible API, writes {@code hello.wav}, and drains.
 *
 * <pre>
 * mvn -B -q install -DskipTests
 * mvn -q -pl samples exec:java -Dexec.mainClass=dev.parlance.tts.samples.server.StandaloneServerSample \
 *     -Dexec.args=CHECKPOINT_DIR_OR_MODEL_ID
 * </pre>
 */
public final class StandaloneServerSample {
  private StandaloneServerSample() {}

  public static void main(String[] args) throws Exception {
    Map<String, String> env = new HashMap<>(System.getenv());
    if (args.length > 0) {
      env.put(ServerConfig.Env.MODEL_PATH, args[0]); // a directory wins over TTS_MODEL_NAME
    }
    env.putIfAbsent("TTS_HOST", "127.0.0.1");
    env.putIfAbsent("TTS_PORT", "0"); // any free port

    CompletableFuture<Throwable> loadFailure = new CompletableFuture<>();
    ParlanceServer server = ParlanceServer.start(ServerConfig.fromEnv(env), loadFailure::complete);
    try {
      String base = "http://127.0.0.1:" + server.port();
      HttpClient http = HttpClient.newHttpClient();
      awaitReady(http, base, loadFailure);

      HttpRequest speech =
          HttpRequest.newBuilder(URI.create(base + "/v1/audio/speech"))
              .header("Content-Type", "application/json")
              .POST(
                  HttpRequest.BodyPublishers.ofString(
                      "{\"model\":\"tts-1\",\"voice\":\"alloy\",\"response_format\":\"wav\","
                          + "\"input\":\"Hello from the standalone Parlance server.\"}"))
              .build();
      Path out = Path.of("hello.wav");
      HttpResponse<Path> response = http.send(speech, HttpResponse.BodyHandlers.ofFile(out));
      System.out.printf(
          "POST %s/v1/audio/speech -> %d, wrote %s%n", base, response.statusCode(), out);
    } finally {
      server.shutdown();
    }
  }

  private static void awaitReady(HttpClient http, String base, CompletableFuture<Throwable> failed)
      throws Exception {
    HttpRequest ready = HttpRequest.newBuilder(URI.create(base + "/ready")).build();
    long deadline = System.nanoTime() + Duration.ofMinutes(30).toNanos(); // first start downloads
    while (System.nanoTime() < deadline) {
      if (failed.isDone()) {
        throw new IllegalStateException("the model did not load", failed.get());
      }
      if (http.send(ready, HttpResponse.BodyHandlers.discarding()).statusCode() == 200) {
        return;
      }
      Thread.sleep(250);
    }
    throw new IllegalStateException("not ready after 30 minutes");
  }
}
