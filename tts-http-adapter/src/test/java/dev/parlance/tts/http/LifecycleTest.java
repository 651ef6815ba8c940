package dev.parlance.tts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parlance.tts.http.testengine.SteerableEngine;
import java.io.InputStream;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Readiness while the model loads, and graceful shutdown. */
class LifecycleTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void notReadyWhileLoadingThenReady() throws Exception {
    CountDownLatch release = new CountDownLatch(1);
    try (TestServer s =
        TestServer.startUnready(
            Map.of(),
            () -> {
              try {
                release.await(30, TimeUnit.SECONDS);
              } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
              }
              return TestServer.ENGINE.get();
            })) {
      assertEquals(200, s.get("/health").statusCode(), "liveness answers while loading");
      var ready = s.get("/ready");
      assertEquals(503, ready.statusCode());
      JsonNode body = JSON.readTree(ready.body());
      assertEquals("not_ready", body.path("status").asText());
      assertFalse(body.path("checks").path("model_loaded").asBoolean());
      for (String check : new String[] {"device", "memory_available", "gpu_available"}) {
        assertTrue(body.path("checks").has(check), check);
      }
      var speech = s.postJson("/v1/audio/speech", "{\"input\":\"Hi\"}");
      assertEquals(503, speech.statusCode());
      assertTrue(speech.headers().firstValue("Retry-After").isPresent());
      release.countDown();
      s.awaitReady();
      assertEquals(200, s.postJson("/v1/audio/speech", "{\"input\":\"Hi\"}").statusCode());
      s.engine().notReady = true;
      assertEquals(503, s.get("/ready").statusCode(), "engine health drives readiness");
    }
  }

  @Test
  void shutdownDrainsInFlightStreamsAndRefusesNewWork() throws Exception {
    TestServer s = TestServer.start(Map.of("TTS_SHUTDOWN_TIMEOUT_SECONDS", "20"));
    SteerableEngine engine = s.engine();
    engine.holdAfterChunks = 1; // in flight until released, however short the audio
    String longText = "word ".repeat(30);
    HttpResponse<InputStream> inFlight =
        s.http.send(
            s.request("/v1/audio/speech")
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"input\":\"" + longText + "\",\"response_format\":\"pcm\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    InputStream body = inFlight.body();
    byte[] first = body.readNBytes(1);
    CompletableFuture<Void> shutdown = CompletableFuture.runAsync(s.server::shutdown);
    long deadline = System.nanoTime() + 5_000_000_000L;
    int readyStatus = 0;
    while (System.nanoTime() < deadline) {
      readyStatus = s.get("/ready").statusCode();
      if (readyStatus == 503) {
        break;
      }
      Thread.sleep(10);
    }
    assertEquals(503, readyStatus, "readiness turns false at once");
    var refused = s.postJson("/v1/audio/speech", "{\"input\":\"Hi\"}");
    assertEquals(503, refused.statusCode(), "new work is refused while draining");
    assertFalse(shutdown.isDone(), "shutdown waits for the stream");
    engine.release();
    byte[] rest = body.readAllBytes();
    assertEquals(
        s.reference(engine.lastRequest(), 24_000).length * 2,
        first.length + rest.length,
        "the in-flight stream finished");
    shutdown.get(20, TimeUnit.SECONDS);
    assertEquals(1, engine.completed.get(), "the in-flight synthesis completed, none cancelled");
    assertEquals(0, engine.cancelled.get());
  }

  @Test
  void shutdownDeadlineCancelsWhatIsLeft() throws Exception {
    TestServer s = TestServer.start(Map.of("TTS_SHUTDOWN_TIMEOUT_SECONDS", "0"));
    SteerableEngine engine = s.engine();
    engine.holdAfterChunks = 1;
    HttpResponse<InputStream> inFlight =
        s.http.send(
            s.request("/v1/audio/speech")
                .header("Content-Type", "application/json")
                .POST(
                    HttpRequest.BodyPublishers.ofString(
                        "{\"input\":\"" + "word ".repeat(200) + "\",\"response_format\":\"pcm\"}"))
                .build(),
            HttpResponse.BodyHandlers.ofInputStream());
    try (InputStream in = inFlight.body()) {
      in.readNBytes(1);
      long start = System.nanoTime();
      s.server.shutdown();
      assertTrue(System.nanoTime() - start < 5_000_000_000L, "shutdown kept its deadline");
    }
    long deadline = System.nanoTime() + 5_000_000_000L;
    while (engine.active.get() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(10);
    }
    assertEquals(0, engine.active.get());
    assertEquals(1, engine.cancelled.get());
  }

  @Test
  void serverAdmissionBoundGives429() throws Exception {
    try (TestServer s = TestServer.start(Map.of("TTS_MAX_IN_FLIGHT", "1"))) {
      s.engine().holdAfterChunks = 0;
      HttpResponse<InputStream> busy =
          s.http.send(
              s.request("/v1/audio/speech")
                  .header("Content-Type", "application/json")
                  .POST(
                      HttpRequest.BodyPublishers.ofString(
                          "{\"input\":\"" + "word ".repeat(40) + "\",\"response_format\":\"pcm\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofInputStream());
      try (InputStream in = busy.body()) {
        var refused = s.postJson("/v1/audio/speech", "{\"input\":\"Hi\"}");
        assertEquals(429, refused.statusCode());
        assertEquals("1", refused.headers().firstValue("Retry-After").orElseThrow());
        assertEquals(
            "rate_limit_exceeded",
            JSON.readTree(refused.body()).path("error").path("code").asText());
        assertEquals(1, JSON.readTree(s.get("/ready").body()).path("in_flight").asInt());
        s.engine().release();
        assertEquals(
            s.reference(s.engine().lastRequest(), 24_000).length * 2, in.readAllBytes().length);
      }
    }
  }
}
