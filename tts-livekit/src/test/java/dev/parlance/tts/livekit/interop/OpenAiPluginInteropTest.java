package dev.parlance.tts.livekit.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parlance.tts.http.ParlanceServer;
import dev.parlance.tts.http.api.HealthHandler;
import dev.parlance.tts.http.api.SpeechHandler;
import dev.parlance.tts.http.config.ServerConfig;
import dev.parlance.tts.livekit.testing.Fixtures;
import dev.parlance.tts.livekit.testing.LongSpeechCheckpoint;
import dev.parlance.tts.livekit.testing.NodePackages;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.Base64;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * The zero-code path for Python and Node agents: LiveKit's own {@code
 * @livekit/agents-plugin-openai} TTS (1.9.0 from npm, pinned by the committed package-lock), given
 * only our server's base URL and a dummy key, its other options at their defaults ({@code tts-1},
 * {@code alloy}, {@code pcm}), synthesizes through the Parlance HTTP server running in this JVM with
 * the real {@code parler} engine.
 *
 * <p>The checkpoint is the tiny fixture made to speak for longer ({@link LongSpeechCheckpoint}): the
 * plugin cuts the response into 100 ms frames and drops a shorter tail, and the fixture as it is
 * gives about 10 ms per request.
 */
@Timeout(value = 10, unit = TimeUnit.MINUTES)
class OpenAiPluginInteropTest {
  private static final String TEXT = "Hello from LiveKit's own OpenAI plugin.";
  private static final int RATE = 24_000;
  private static final int FRAME_BYTES = RATE / 10 * 2; // the plugin's 100 ms frames, mono s16le
  // decoder steps before EOS may be drawn: 1150 * 8 samples at 44.1 kHz = 209 ms, 2 whole frames
  private static final int MIN_STEPS = 1150;

  @Test
  void openAiPluginWithItsDefaultsGets24kFramesWithOneFinalFrame() throws Exception {
    Assumptions.assumeTrue(
        NodePackages.available(),
        "node and npm are not on PATH: the interop check with LiveKit's OpenAI plugin is skipped");
    Path dir = NodePackages.install();
    Path module = Path.of(System.getProperty("basedir", "."));
    Path checkpoint =
        LongSpeechCheckpoint.create(
            Fixtures.checkpoint("tiny-mini-v1-arch"),
            module.resolve("target/parler-tiny-long"),
            2048,
            MIN_STEPS);

    AtomicReference<Throwable> loadFailure = new AtomicReference<>();
    ParlanceServer server =
        ParlanceServer.start(
            ServerConfig.fromEnv(
                Map.of(
                    ServerConfig.Env.HOST, "127.0.0.1",
                    ServerConfig.Env.PORT, "0",
                    ServerConfig.Env.MODEL_PATH, checkpoint.toString(),
                    ServerConfig.Env.DEVICE, "cpu",
                    ServerConfig.Env.SHUTDOWN_TIMEOUT_SECONDS, "1")),
            loadFailure::set);
    try (AutoCloseable stop = server::shutdown) {
      String base = "http://127.0.0.1:" + server.port();
      HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
      awaitReady(http, base, loadFailure);

      // What the server answers to exactly the request the plugin makes (a voice's seed is fixed,
      // so the same request gives the same audio).
      HttpResponse<byte[]> direct =
          http.send(
              HttpRequest.newBuilder(URI.create(base + SpeechHandler.PATH))
                  .timeout(Duration.ofSeconds(240))
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"input\":\""
                              + TEXT
                              + "\",\"model\":\"tts-1\",\"voice\":\"alloy\","
                              + "\"response_format\":\"pcm\",\"speed\":1}"))
                  .build(),
              HttpResponse.BodyHandlers.ofByteArray());
      assertEquals(200, direct.statusCode(), new String(direct.body()));
      byte[] reference = direct.body();
      int wholeFrames = reference.length / FRAME_BYTES;
      assertTrue(wholeFrames >= 2, "the server's audio spans 100 ms frames: " + reference.length);

      Path out = dir.resolve("openai-tts.json");
      Files.deleteIfExists(out);
      ProcessBuilder pb = new ProcessBuilder("node", "openai-tts.mjs").directory(dir.toFile());
      pb.environment().put("TTS_API_URL", base + "/v1");
      pb.environment().put("TEXT", TEXT);
      pb.environment().put("OUT_FILE", out.toString());
      pb.environment().remove("OPENAI_API_KEY");
      pb.redirectErrorStream(true).redirectOutput(dir.resolve("openai-tts.log").toFile());
      long start = System.nanoTime();
      Process node = pb.start();
      try {
        assertTrue(node.waitFor(4, TimeUnit.MINUTES), "the plugin finished");
      } finally {
        NodePackages.stop(node);
      }
      long nodeMillis = (System.nanoTime() - start) / 1_000_000;
      assertEquals(0, node.exitValue(), "node failed; see " + dir.resolve("openai-tts.log"));

      JsonObject result = JsonParser.parseString(Files.readString(out)).getAsJsonObject();
      assertEquals(RATE, result.get("ttsSampleRate").getAsInt(), "the plugin's declared rate");
      assertEquals(1, result.get("ttsChannels").getAsInt());
      assertEquals("tts-1", result.get("model").getAsString(), "the plugin's default model");
      assertEquals(0, result.getAsJsonArray("errors").size(), result.get("errors").toString());

      JsonArray frames = result.getAsJsonArray("frames");
      assertEquals(wholeFrames, frames.size(), "one frame per whole 100 ms of the server's audio");
      String requestId = frames.get(0).getAsJsonObject().get("requestId").getAsString();
      int finals = 0;
      for (int i = 0; i < frames.size(); i++) {
        JsonObject f = frames.get(i).getAsJsonObject();
        assertEquals(RATE, f.get("sampleRate").getAsInt(), "frame " + i + " at 24 kHz");
        assertEquals(1, f.get("channels").getAsInt());
        assertEquals(RATE / 10, f.get("samplesPerChannel").getAsInt());
        assertEquals(requestId, f.get("requestId").getAsString());
        boolean isFinal = f.get("final").getAsBoolean();
        assertEquals(i == frames.size() - 1, isFinal, "only the last frame is final");
        finals += isFinal ? 1 : 0;
      }
      assertEquals(1, finals, "exactly one final frame");
      byte[] pcm = Base64.getDecoder().decode(result.get("pcm").getAsString());
      assertArrayEquals(
          Arrays.copyOf(reference, wholeFrames * FRAME_BYTES), pcm, "the server's audio");
      assertTrue(rms(pcm) > 30, "audible, not silence");

      JsonArray metrics = result.getAsJsonArray("metrics");
      assertEquals(1, metrics.size(), "the plugin reported metrics");
      JsonObject m = metrics.get(0).getAsJsonObject();
      assertEquals(100L * wholeFrames, m.get("audioDurationMs").getAsLong());
      assertEquals(TEXT.length(), m.get("charactersCount").getAsInt());
      System.out.printf(
          "openai plugin: %d frames of 100 ms (server sent %d bytes), ttfb %s ms, duration %s ms;"
              + " node run %d ms%n",
          frames.size(),
          reference.length,
          element(m, "ttfbMs"),
          element(m, "durationMs"),
          nodeMillis);
    }
  }

  private static void awaitReady(HttpClient http, String base, AtomicReference<Throwable> failure)
      throws Exception {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (System.nanoTime() < deadline) {
      if (failure.get() != null) {
        throw new AssertionError("engine failed to load", failure.get());
      }
      HttpResponse<Void> ready =
          http.send(
              HttpRequest.newBuilder(URI.create(base + HealthHandler.READY)).build(),
              HttpResponse.BodyHandlers.discarding());
      if (ready.statusCode() == 200) {
        return;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("server not ready within 120 s");
  }

  private static String element(JsonObject o, String name) {
    JsonElement e = o.get(name);
    return e == null ? "?" : e.getAsString();
  }

  private static double rms(byte[] pcm) {
    double sum = 0;
    int n = pcm.length / 2;
    for (int i = 0; i < n; i++) {
      short s = (short) ((pcm[2 * i] & 0xff) | (pcm[2 * i + 1] << 8));
      sum += (double) s * s;
    }
    return Math.sqrt(sum / Math.max(1, n));
  }
}
