package dev.parlance.tts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parlance.tts.spi.TtsRequest;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Compatibility proven by a client we did not write: the official {@code openai} npm package
 * (installed under target/ on first run) calls our server on loopback, streamed and not.
 */
class OpenAiInteropTest {
  /** The newest openai release that runs on Node 20 (7.x needs Node 22). */
  static final String OPENAI_NPM = "openai@6.30.1";

  static final Path DIR = Path.of("target", "openai-interop");

  @Test
  void officialOpenAiClientSpeaksToTheServer() throws Exception {
    assumeTrue(
        run(List.of("node", "--version"), 30).exitCode == 0, "node is not installed; skipping");
    Files.createDirectories(DIR);
    if (!Files.isDirectory(DIR.resolve("node_modules/openai"))) {
      Result install =
          run(
              List.of(
                  "npm",
                  "install",
                  "--no-audit",
                  "--no-fund",
                  "--prefix",
                  DIR.toString(),
                  OPENAI_NPM),
              300);
      assertEquals(0, install.exitCode, "npm install failed:\n" + install.output);
    }
    try (InputStream script = getClass().getResourceAsStream("/interop/openai-speech.mjs")) {
      Files.copy(
          script,
          DIR.resolve("openai-speech.mjs"),
          java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
    Path out = Files.createTempDirectory(DIR, "out");
    try (TestServer server = TestServer.start(Map.of("TTS_API_KEY", "sdk-key"))) {
      server.engine().chunkDelayMillis = 50; // chunks arrive apart, as from a real model
      Result r =
          run(
              List.of(
                  "node",
                  DIR.resolve("openai-speech.mjs").toString(),
                  "http://127.0.0.1:" + server.server.port() + "/v1",
                  "sdk-key",
                  out.toString()),
              120);
      assertEquals(0, r.exitCode, r.output);
      String lastLine = r.output.strip().lines().reduce((a, b) -> b).orElse("");
      JsonNode summary = new ObjectMapper().readTree(lastLine);

      assertEquals("audio/wav", summary.path("wavContentType").asText());
      // The three successful calls, in order, as the engine received them.
      List<TtsRequest> sent = server.engine().requests;
      assertEquals(3, sent.size());
      assertEquals("Hello from the official OpenAI client.", sent.get(0).text());
      Decoded wav = Decoded.wav(Files.readAllBytes(out.resolve("speech.wav")));
      assertEquals(server.engineRate(), wav.sampleRate());
      wav.assertLossless(server.reference(sent.get(0), server.engineRate()));

      Decoded pcm = Decoded.pcm(Files.readAllBytes(out.resolve("speech.pcm")), 24_000);
      pcm.assertLossless(server.reference(sent.get(1), 24_000));
      if (server.engine().chunkCount(sent.get(1)) > 1) {
        assertTrue(summary.path("pcmChunks").asInt() > 1, "streamed in several chunks");
      }

      Decoded sse = Decoded.pcm(Files.readAllBytes(out.resolve("sse.pcm")), 24_000);
      sse.assertLossless(server.reference(sent.get(2), 24_000));
      assertEquals(dev.parlance.tts.spi.Voice.described("A calm, low voice."), sent.get(2).voice());
      JsonNode events = summary.path("sseEvents");
      assertEquals("speech.audio.done", events.get(events.size() - 1).asText());

      assertEquals(400, summary.path("badVoice").path("status").asInt());
      assertEquals("voice", summary.path("badVoice").path("param").asText());
      assertEquals("BadRequestError", summary.path("badVoice").path("name").asText());
      assertEquals(401, summary.path("badKey").path("status").asInt());
      assertEquals("AuthenticationError", summary.path("badKey").path("name").asText());
    }
  }

  private record Result(int exitCode, String output) {}

  private static Result run(List<String> command, int timeoutSeconds)
      throws IOException, InterruptedException {
    Process p;
    try {
      p = new ProcessBuilder(command).redirectErrorStream(true).start();
    } catch (IOException e) {
      return new Result(-1, e.getMessage());
    }
    byte[] output;
    try (InputStream in = p.getInputStream()) {
      output = in.readAllBytes();
    }
    if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
      p.destroyForcibly();
      return new Result(-1, "timed out: " + command);
    }
    return new Result(p.exitValue(), new String(output, StandardCharsets.UTF_8));
  }
}
