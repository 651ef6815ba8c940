package dev.parlance.tts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.encoder.JsonEncoder;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** Structured JSON logs: an access line per request with its id, and no secrets or texts. */
class LoggingTest {
  static final String KEY = "secret-key-123";
  static final String TEXT = "Top secret words nobody should log.";

  @Test
  void accessLinesCarryTheRequestIdAndNothingSecret() throws Exception {
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    ListAppender<ILoggingEvent> captured = new ListAppender<>();
    captured.start();
    root.addAppender(captured);
    try (TestServer s = TestServer.start(Map.of("TTS_API_KEY", KEY))) {
      s.postJson(
          "/v1/audio/speech",
          "{\"input\":\"" + TEXT + "\",\"response_format\":\"pcm\"}",
          "Authorization",
          "Bearer " + KEY,
          "X-Request-Id",
          "log-test-1");
      s.get("/v1/models", "X-API-Key", "wrong-" + KEY);

      ILoggingEvent access = null;
      long deadline = System.nanoTime() + 5_000_000_000L;
      while (access == null && System.nanoTime() < deadline) {
        access =
            List.copyOf(captured.list).stream()
                .filter(e -> e.getLoggerName().equals("dev.parlance.tts.http.access"))
                .filter(e -> String.valueOf(e.getKeyValuePairs()).contains("log-test-1"))
                .findFirst()
                .orElse(null);
        Thread.sleep(20);
      }
      assertNotNull(access, "an access line for the request");

      JsonEncoder encoder = new JsonEncoder();
      encoder.setContext((LoggerContext) LoggerFactory.getILoggerFactory());
      encoder.start();
      String line = new String(encoder.encode(access), StandardCharsets.UTF_8).strip();
      assertFalse(line.contains("\n"), "one line per event");
      JsonNode json = new ObjectMapper().readTree(line);
      assertEquals("INFO", json.path("level").asText());
      String kv = json.path("kvpList").toString();
      for (String expected :
          List.of(
              "\"request_id\":\"log-test-1\"",
              "\"path\":\"/v1/audio/speech\"",
              "\"status\":\"200\"")) {
        assertTrue(kv.contains(expected), kv + " lacks " + expected);
      }
    } finally {
      root.detachAppender(captured);
    }
    for (ILoggingEvent e : List.copyOf(captured.list)) {
      String all =
          e.getFormattedMessage()
              + e.getKeyValuePairs()
              + e.getMDCPropertyMap()
              + e.getThrowableProxy();
      assertFalse(all.contains(KEY), "a key was logged: " + all);
      assertFalse(all.contains("Top secret"), "input text was logged: " + all);
    }
  }
}
