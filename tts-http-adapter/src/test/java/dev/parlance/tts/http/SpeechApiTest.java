package dev.parlance.tts.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parlance.tts.http.testengine.SteerableEngine;
import dev.parlance.tts.spi.TtsRequest;
import dev.parlance.tts.spi.Voice;
import dev.parlance.tts.spi.VoiceInfo;
import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The speech endpoints over real HTTP: every format decoded, streaming, SSE and each bad input. */
class SpeechApiTest {
  static final String TEXT = "Hello there, this is a test of the speech endpoint.";
  static final ObjectMapper JSON = new ObjectMapper();
  static TestServer server;

  @BeforeAll
  static void start() {
    server = TestServer.start(Map.of());
  }

  @AfterAll
  static void stop() {
    if (server != null) {
      server.close();
    }
  }

  @AfterEach
  void reset() {
    server.engine().reset();
  }

  static TtsRequest last() {
    return server.engine().lastRequest();
  }

  static String speech(String format, String extra) {
    return "{\"model\":\"tts-1\",\"input\":\""
        + TEXT
        + "\",\"voice\":\"alloy\",\"response_format\":\""
        + format
        + "\""
        + extra
        + "}";
  }

  /** 0 stands for the engine's own rate. */
  @ParameterizedTest
  @CsvSource({
    "wav,audio/wav,0",
    "pcm,audio/pcm,24000",
    "flac,audio/flac,0",
    "opus,audio/ogg,48000"
  })
  void everyFormatDecodesToTheEngineAudio(String format, String contentType, int rate)
      throws Exception {
    int expectedRate = rate == 0 ? server.engineRate() : rate;
    HttpResponse<byte[]> r = server.postJson("/v1/audio/speech", speech(format, ""));
    assertEquals(200, r.statusCode(), () -> new String(r.body(), StandardCharsets.UTF_8));
    assertEquals(contentType, r.headers().firstValue("Content-Type").orElseThrow());
    assertEquals(
        Integer.toString(expectedRate), r.headers().firstValue("X-Sample-Rate").orElseThrow());
    Decoded d = decode(format, r.body(), expectedRate);
    assertEquals(expectedRate, d.sampleRate());
    short[] reference = server.reference(last(), expectedRate);
    if (format.equals("opus")) {
      d.assertLossy(reference);
    } else {
      d.assertLossless(reference);
    }
  }

  static Decoded decode(String format, byte[] body, int pcmRate) throws Exception {
    switch (format) {
      case "wav":
        return Decoded.wav(body);
      case "pcm":
        return Decoded.pcm(body, pcmRate);
      case "flac":
        return Decoded.flac(body);
      default:
        return Decoded.oggOpus(body);
    }
  }

  @Test
  void unstreamedWavHasExactSizesAndContentLength() throws Exception {
    HttpResponse<byte[]> r =
        server.postJson(
            "/v1/audio/speech", speech("wav", ",\"stream\":false,\"sample_rate\":16000"));
    assertEquals(200, r.statusCode());
    assertEquals(
        r.body().length, Long.parseLong(r.headers().firstValue("Content-Length").orElseThrow()));
    Decoded d = Decoded.wav(r.body()); // asserts the RIFF and data sizes
    assertEquals(16_000, d.sampleRate());
    d.assertLossless(server.reference(last(), 16_000));
  }

  @Test
  void openAiVoicesAreEnginePresetsAndInstructionsAndSpeedShapeTheDescription() throws Exception {
    VoiceInfo jon = engineVoice("jon");
    server.postJson("/v1/audio/speech", speech("pcm", ""));
    TtsRequest alloy = last();
    assertEquals(Voice.preset("jon"), alloy.voice(), "alloy is the engine's jon");
    assertEquals(jon.seed(), alloy.sampling().seed());

    server.postJson("/v1/audio/speech", "{\"input\":\"Hi.\",\"voice\":\"alloy\",\"speed\":0.9}");
    assertEquals(
        Voice.described(jon.description() + " The speaker talks slightly slowly."), last().voice());
    assertEquals(jon.seed(), last().sampling().seed());

    server.postJson(
        "/v1/audio/speech",
        "{\"input\":\"Hi.\",\"voice\":{\"id\":\"nova\"},\"instructions\":\"A whisper.\","
            + "\"speed\":1.5,\"response_format\":\"pcm\"}");
    TtsRequest nova = last();
    assertEquals(Voice.described("A whisper. The speaker talks fast."), nova.voice());
    assertEquals(engineVoice("jenna").seed(), nova.sampling().seed());

    server.postJson("/v1/audio/speech", "{\"input\":\"Hi.\",\"voice\":\"alloy\",\"seed\":5}");
    assertEquals(5, last().sampling().seed().getAsLong());

    // No voice, or "default", is the engine's default.
    server.postJson("/v1/audio/speech", "{\"input\":\"Hi.\"}");
    assertEquals(Voice.defaultVoice(), last().voice());
    server.postJson("/v1/audio/speech", "{\"input\":\"Hi.\",\"voice\":\"default\"}");
    assertEquals(Voice.defaultVoice(), last().voice());
    assertEquals(engineVoice("default").seed(), last().sampling().seed());
  }

  /** The engine's own preset of that name. */
  static VoiceInfo engineVoice(String name) {
    return server.engine().voices().stream()
        .filter(v -> v.name().equals(name))
        .findFirst()
        .orElseThrow();
  }

  @Test
  void seedApiSynthesizesWithDescriptionAndIsDeterministic() throws Exception {
    String body =
        "{\"text\":\""
            + TEXT
            + "\",\"description\":\"A calm voice.\",\"seed\":11,\"format\":\"flac\"}";
    HttpResponse<byte[]> first = server.postJson("/synthesize", body);
    assertEquals(200, first.statusCode());
    TtsRequest sent = last();
    assertEquals(Voice.described("A calm voice."), sent.voice());
    assertEquals(11, sent.sampling().seed().getAsLong());
    Decoded.flac(first.body()).assertLossless(server.reference(sent, server.engineRate()));
    assertArrayEquals(first.body(), server.postJson("/synthesize", body).body());
    byte[] other = server.postJson("/synthesize", body.replace("11", "12")).body();
    assertFalse(java.util.Arrays.equals(first.body(), other), "another seed, another tone");

    HttpResponse<byte[]> preset =
        server.postJson(
            "/synthesize",
            "{\"text\":\"Hi.\",\"voice\":\"shimmer\",\"temperature\":0.7,\"top_k\":20,"
                + "\"sample_rate\":22050}");
    assertEquals(200, preset.statusCode());
    assertEquals(22_050, Decoded.wav(preset.body()).sampleRate());
    assertEquals(0.7, last().sampling().temperature());
    assertEquals(20, last().sampling().topK());
  }

  @Test
  void catalogsListModelsAliasesAndVoices() throws Exception {
    JsonNode models = JSON.readTree(server.get("/v1/models").body());
    List<String> ids = new ArrayList<>();
    models.path("data").forEach(m -> ids.add(m.path("id").asText()));
    assertEquals(List.of(server.engine().modelId(), "tts-1", "tts-1-hd", "gpt-4o-mini-tts"), ids);
    assertEquals("list", models.path("object").asText());

    JsonNode voices = JSON.readTree(server.get("/v1/audio/voices").body());
    Map<String, JsonNode> byName = new LinkedHashMap<>();
    voices.path("voices").forEach(v -> byName.put(v.path("name").asText(), v));
    List<String> names = List.copyOf(byName.keySet());
    assertEquals("default", names.get(0));
    assertEquals("default", voices.path("default").asText());
    List<String> engineNames = server.engine().voices().stream().map(VoiceInfo::name).toList();
    assertEquals(engineNames, names.subList(0, engineNames.size()), "the engine's presets first");
    assertEquals(
        List.of(
            "alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer",
            "verse", "marin", "cedar"),
        names.subList(engineNames.size(), names.size()));
    JsonNode alloy = byName.get("alloy");
    assertEquals("jon", alloy.path("preset").asText());
    assertEquals(byName.get("jon").path("description"), alloy.path("description"));
    assertEquals(byName.get("jon").path("seed"), alloy.path("seed"));
    assertTrue(byName.get("jon").path("preset").isNull(), "an engine preset is no alias");
  }

  @Test
  void anOperatorVoicesFileAddsAndReplacesEnginePresets(@TempDir Path dir) throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("voices.json"),
            "{\"voices\":[{\"name\":\"jon\",\"description\":\"Ours.\",\"seed\":5},"
                + "{\"name\":\"host\",\"description\":\"The host.\",\"seed\":6}]}");
    try (TestServer s = TestServer.start(Map.of("TTS_VOICES_FILE", file.toString()))) {
      JsonNode voices = JSON.readTree(s.get("/v1/audio/voices").body()).path("voices");
      Map<String, JsonNode> byName = new LinkedHashMap<>();
      voices.forEach(v -> byName.put(v.path("name").asText(), v));
      assertEquals("The host.", byName.get("host").path("description").asText());
      assertEquals(6, byName.get("host").path("seed").asLong());
      assertEquals("Ours.", byName.get("alloy").path("description").asText(), "alloy follows jon");
      assertEquals(5, byName.get("alloy").path("seed").asLong());
      assertTrue(byName.containsKey("lea"), "the other built-in presets stay");

      assertEquals(
          200,
          s.postJson("/v1/audio/speech", "{\"input\":\"Hi.\",\"voice\":\"alloy\",\"speed\":0.5}")
              .statusCode());
      assertEquals(
          Voice.described("Ours. The speaker talks very slowly."),
          s.engine().lastRequest().voice());
      assertEquals(5, s.engine().lastRequest().sampling().seed().getAsLong());
    }
  }

  @Test
  void aBadVoicesFileStopsTheServerNamingTheFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("voices.json"), "{\"voices\":[{\"name\":\"x\"}]}");
    try (TestServer s = TestServer.startUnready(Map.of("TTS_VOICES_FILE", file.toString()))) {
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (s.loadFailure.get() == null && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      Throwable failure = s.loadFailure.get();
      assertTrue(failure instanceof IllegalArgumentException, String.valueOf(failure));
      assertTrue(failure.getMessage().startsWith("voices file " + file), failure.getMessage());
      assertEquals(503, s.get("/ready").statusCode());
    }
  }

  @Test
  void requestIdIsEchoedOrGenerated() throws Exception {
    HttpResponse<String> r = server.get("/v1/models", "X-Request-Id", "abc-123");
    assertEquals("abc-123", r.headers().firstValue("X-Request-Id").orElseThrow());
    server.postJson("/v1/audio/speech", speech("pcm", ""), "X-Request-Id", "req-42");
    assertEquals("req-42", last().id());
    String generated = server.get("/health").headers().firstValue("X-Request-Id").orElseThrow();
    assertEquals(36, generated.length());
  }

  @Test
  void sseSendsBase64DeltasThenDone() throws Exception {
    HttpResponse<byte[]> r =
        server.postJson("/v1/audio/speech", speech("pcm", ",\"stream_format\":\"sse\""));
    assertEquals(200, r.statusCode());
    assertTrue(
        r.headers().firstValue("Content-Type").orElseThrow().startsWith("text/event-stream"));
    List<JsonNode> events = new ArrayList<>();
    for (String frame : new String(r.body(), StandardCharsets.UTF_8).split("\n\n")) {
      String eventName = null;
      for (String line : frame.split("\n")) {
        if (line.startsWith("event: ")) {
          eventName = line.substring(7);
        } else if (line.startsWith("data: ")) {
          JsonNode data = JSON.readTree(line.substring(6));
          assertEquals(eventName, data.path("type").asText());
          events.add(data);
        }
      }
    }
    assertTrue(events.size() >= 3, "several deltas and done: " + events.size());
    JsonNode done = events.get(events.size() - 1);
    assertEquals("speech.audio.done", done.path("type").asText());
    assertEquals(TEXT.length(), done.path("usage").path("input_tokens").asInt());
    ByteArrayOutputStream pcm = new ByteArrayOutputStream();
    for (JsonNode e : events.subList(0, events.size() - 1)) {
      assertEquals("speech.audio.delta", e.path("type").asText());
      pcm.writeBytes(Base64.getDecoder().decode(e.path("audio").asText()));
    }
    Decoded.pcm(pcm.toByteArray(), 24_000).assertLossless(server.reference(last(), 24_000));
  }

  @Test
  void audioStartsFlowingBeforeSynthesisEnds() throws Exception {
    SteerableEngine engine = server.engine();
    engine.holdAfterChunks = 1; // the engine stops after its first chunk until released
    int completedBefore = engine.completed.get();
    HttpResponse<InputStream> r =
        server
            .http
            .sendAsync(
                server
                    .request("/v1/audio/speech")
                    .header("Content-Type", "application/json")
                    .POST(
                        HttpRequest.BodyPublishers.ofString(
                            "{\"input\":\""
                                + "word ".repeat(40)
                                + "\",\"voice\":\"alloy\",\"response_format\":\"pcm\"}"))
                    .build(),
                HttpResponse.BodyHandlers.ofInputStream())
            .get(30, TimeUnit.SECONDS);
    long total;
    try (InputStream in = r.body()) {
      byte[] first =
          CompletableFuture.supplyAsync(
                  () -> {
                    try {
                      return in.readNBytes(2);
                    } catch (java.io.IOException e) {
                      throw new java.io.UncheckedIOException(e);
                    }
                  })
              .get(30, TimeUnit.SECONDS);
      assertEquals(2, first.length);
      assertEquals(1, engine.active.get(), "synthesis is still running");
      assertEquals(completedBefore, engine.completed.get());
      engine.release();
      total = first.length + in.readAllBytes().length;
    }
    assertEquals(server.reference(last(), 24_000).length * 2, total, "all the audio arrived");
  }

  @Test
  void clientDisconnectStopsSynthesis() throws Exception {
    // Two-frame chunks, so the tiny model's short utterance streams in many pieces; no phrase
    // cache, which would answer the repeated request in one piece.
    try (TestServer server =
        TestServer.startUnready(
            Map.of(),
            () -> TestServer.parler(Map.of("chunk_frames", "2", "phrase_cache_bytes", "0")))) {
      server.awaitReady();
      disconnectStopsSynthesis(server);
    }
  }

  private static void disconnectStopsSynthesis(TestServer server) throws Exception {
    SteerableEngine engine = server.engine();
    engine.chunkDelayMillis = 50;
    int cancelledBefore = engine.cancelled.get();
    HttpResponse<InputStream> r =
        server.http.send(
            server
                .request("/v1/audio/speech")
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"input\":\""
                            + "word ".repeat(40)
                            + "\",\"voice\":\"alloy\",\"response_format\":\"pcm\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    int completedBefore = engine.completed.get();
    int chunks = engine.chunkCount(engine.lastRequest());
    assumeTrue(
        chunks >= 4, "the engine made only " + chunks + " chunks: too few to hang up mid-way");
    try (InputStream in = r.body()) {
      assertEquals(1, in.readNBytes(1).length);
    } // closing before the end drops the connection
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (engine.cancelled.get() == cancelledBefore
        && engine.completed.get() == completedBefore
        && System.nanoTime() < deadline) {
      Thread.sleep(20);
    }
    assertEquals(cancelledBefore + 1, engine.cancelled.get(), "the engine stream was closed");
    assertEquals(0, engine.active.get());
  }

  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "malformed JSON|{\"input\":|400|invalid_json|",
        "not an object|[1,2]|400|invalid_json|",
        "missing input|{\"voice\":\"alloy\"}|400|invalid_value|input",
        "empty input|{\"input\":\"  \"}|400|invalid_value|input",
        "input not a string|{\"input\":42}|400|invalid_value|input",
        "unknown voice|{\"input\":\"Hi\",\"voice\":\"bogus\"}|400|invalid_value|voice",
        "unknown model|{\"input\":\"Hi\",\"model\":\"whisper-1\"}|400|invalid_value|model",
        "mp3|{\"input\":\"Hi\",\"response_format\":\"mp3\"}|400|invalid_value|response_format",
        "unknown format|{\"input\":\"Hi\",\"response_format\":\"ogg\"}|400|invalid_value|response_format",
        "speed out of range|{\"input\":\"Hi\",\"speed\":9}|400|invalid_value|speed",
        "bad stream_format|{\"input\":\"Hi\",\"stream_format\":\"x\"}|400|invalid_value|stream_format",
        "bad sample rate|{\"input\":\"Hi\",\"sample_rate\":1234}|400|invalid_value|sample_rate",
      })
  void badInputIsAnOpenAiShapedError(
      String name, String body, int status, String code, String param) throws Exception {
    HttpResponse<byte[]> r = server.postJson("/v1/audio/speech", body);
    assertEquals(status, r.statusCode());
    JsonNode error = JSON.readTree(r.body()).path("error");
    assertEquals(code, error.path("code").asText());
    assertEquals("invalid_request_error", error.path("type").asText());
    if (param == null) {
      assertTrue(error.path("param").isNull());
    } else {
      assertEquals(param, error.path("param").asText());
    }
    assertFalse(error.path("message").asText().isBlank());
  }

  @Test
  void errorsNameTheValidChoices() throws Exception {
    String voice =
        JSON.readTree(
                server.postJson("/v1/audio/speech", "{\"input\":\"Hi\",\"voice\":\"x\"}").body())
            .path("error")
            .path("message")
            .asText();
    assertTrue(
        voice.contains("'x'")
            && voice.contains("default, jon")
            && voice.contains("alloy")
            && voice.contains("cedar"),
        voice);
    String model =
        JSON.readTree(
                server.postJson("/v1/audio/speech", "{\"input\":\"Hi\",\"model\":\"x\"}").body())
            .path("error")
            .path("message")
            .asText();
    assertTrue(model.contains("tts-1") && model.contains(server.engine().modelId()), model);
  }

  @Test
  void oversizedInputWrongTypeAndTooLargeBody() throws Exception {
    HttpResponse<byte[]> tooLong =
        server.postJson("/v1/audio/speech", "{\"input\":\"" + "a".repeat(4097) + "\"}");
    assertEquals(400, tooLong.statusCode());
    assertEquals("input", JSON.readTree(tooLong.body()).path("error").path("param").asText());

    HttpResponse<byte[]> text =
        server.http.send(
            server
                .request("/v1/audio/speech")
                .header("Content-Type", "text/plain")
                .POST(HttpRequest.BodyPublishers.ofString("{\"input\":\"Hi\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofByteArray());
    assertEquals(415, text.statusCode());
    assertEquals(
        "unsupported_media_type", JSON.readTree(text.body()).path("error").path("code").asText());

    HttpResponse<byte[]> huge =
        server.postJson("/v1/audio/speech", "{\"input\":\"" + "a".repeat(70_000) + "\"}");
    assertEquals(413, huge.statusCode());
    assertEquals(
        "request_too_large", JSON.readTree(huge.body()).path("error").path("code").asText());

    HttpResponse<String> missing = server.get("/v1/nothing");
    assertEquals(404, missing.statusCode());
    assertEquals("not_found", JSON.readTree(missing.body()).path("error").path("code").asText());

    HttpResponse<byte[]> seedMissing = server.postJson("/synthesize", "{\"voice\":\"alloy\"}");
    assertEquals(400, seedMissing.statusCode());
    assertEquals("text", JSON.readTree(seedMissing.body()).path("error").path("param").asText());
  }

  @Test
  void overloadIs429WithRetryAfterAndUnavailableIs503() throws Exception {
    server.engine().overloaded = true;
    HttpResponse<byte[]> r = server.postJson("/v1/audio/speech", speech("pcm", ""));
    assertEquals(429, r.statusCode());
    assertEquals("3", r.headers().firstValue("Retry-After").orElseThrow());
    assertEquals("rate_limit_error", JSON.readTree(r.body()).path("error").path("type").asText());
    server.engine().overloaded = false;

    server.engine().unavailable = true;
    HttpResponse<byte[]> u = server.postJson("/synthesize", "{\"text\":\"Hi\"}");
    assertEquals(503, u.statusCode());
    assertTrue(u.headers().firstValue("Retry-After").isPresent());
    assertEquals(
        "service_unavailable", JSON.readTree(u.body()).path("error").path("code").asText());
  }

  @Test
  void failureBeforeAnyAudioKeepsItsStatusEvenWhenStreaming() throws Exception {
    server.engine().failAfterChunks = 0;
    for (String extra : List.of("", ",\"stream_format\":\"sse\"")) {
      HttpResponse<byte[]> r = server.postJson("/v1/audio/speech", speech("pcm", extra));
      assertEquals(500, r.statusCode());
      assertEquals("internal_error", JSON.readTree(r.body()).path("error").path("code").asText());
    }
  }

  @Test
  void failureMidStreamEndsSseWithAnErrorEvent() throws Exception {
    server.engine().failAfterChunks = 2;
    HttpResponse<byte[]> r =
        server.postJson(
            "/v1/audio/speech",
            "{\"input\":\""
                + "word ".repeat(20)
                + "\",\"stream_format\":\"sse\",\"response_format\":\"pcm\"}");
    assertEquals(200, r.statusCode());
    String body = new String(r.body(), StandardCharsets.UTF_8);
    assertTrue(body.contains("event: speech.audio.delta"), body);
    assertTrue(body.contains("event: error"), body);
    assertFalse(body.contains("speech.audio.done"), body);
    assertTrue(body.contains("internal_error"), body);
    assertTrue(server.get("/metrics").body().contains("outcome=\"failed\""));
  }

  @Test
  void healthReadyRootAndMetrics() throws Exception {
    assertEquals(200, server.get("/health").statusCode());
    HttpResponse<String> ready = server.get("/ready");
    assertEquals(200, ready.statusCode());
    JsonNode checks = JSON.readTree(ready.body()).path("checks");
    assertTrue(checks.path("model_loaded").asBoolean());
    assertEquals("cpu", checks.path("device").asText());
    assertTrue(checks.has("memory_available") && checks.has("gpu_available"));
    // the engine reads the host's memory on the CPU: free is positive and at most the total
    long free = checks.path("memory_free_bytes").asLong(-1);
    assertTrue(free > 0 && free <= checks.path("memory_total_bytes").asLong(-1), checks.toString());
    assertEquals(
        server.engine().modelId(), JSON.readTree(server.get("/").body()).path("model").asText());

    server.postJson("/v1/audio/speech", speech("pcm", ""));
    HttpResponse<String> metrics = server.get("/metrics");
    assertEquals(200, metrics.statusCode());
    String text = metrics.body();
    for (String name :
        List.of(
            "jvm_memory_used_bytes",
            "jetty_threads_",
            "jetty_connections_",
            "jetty_server_requests_seconds",
            "tts_requests_total",
            "tts_time_to_first_audio_seconds",
            "tts_real_time_factor",
            "tts_requests_in_flight")) {
      assertTrue(text.contains(name), "metrics lack " + name);
    }
    assertNotEquals(-1, text.indexOf("outcome=\"ok\""));
  }
}
