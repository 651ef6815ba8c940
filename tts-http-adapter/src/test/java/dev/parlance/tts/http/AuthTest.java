package dev.parlance.tts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AuthTest {
  static final ObjectMapper JSON = new ObjectMapper();
  static final String BODY = "{\"input\":\"Hi.\",\"response_format\":\"pcm\"}";

  @Test
  void keysFromEnvAcceptedAsBearerOrXApiKey() throws Exception {
    try (TestServer s = TestServer.start(Map.of("TTS_API_KEY", "key-one, key-two"))) {
      var none = s.postJson("/v1/audio/speech", BODY);
      assertEquals(401, none.statusCode());
      var error = JSON.readTree(none.body()).path("error");
      assertEquals("authentication_error", error.path("type").asText());
      assertEquals("invalid_api_key", error.path("code").asText());
      assertEquals(
          401, s.postJson("/v1/audio/speech", BODY, "X-API-Key", "key-three").statusCode());
      assertEquals(
          401, s.postJson("/v1/audio/speech", BODY, "Authorization", "Bearer key-on").statusCode());
      assertEquals(200, s.postJson("/v1/audio/speech", BODY, "X-API-Key", "key-one").statusCode());
      assertEquals(
          200,
          s.postJson("/v1/audio/speech", BODY, "Authorization", "Bearer key-two").statusCode());
      assertEquals(401, s.get("/v1/models").statusCode());
      assertEquals(200, s.get("/v1/models", "Authorization", "Bearer key-one").statusCode());
      // Probes stay open; metrics are open unless TTS_METRICS_AUTH is set.
      assertEquals(200, s.get("/health").statusCode());
      assertEquals(200, s.get("/ready").statusCode());
      assertEquals(200, s.get("/metrics").statusCode());
    }
  }

  @Test
  void keysFileAndMetricsAuth(@TempDir Path dir) throws Exception {
    Path keys = dir.resolve("keys");
    Files.writeString(keys, "# one per line\nfile-key\n");
    try (TestServer s =
        TestServer.start(
            Map.of("TTS_API_KEYS_FILE", keys.toString(), "TTS_METRICS_AUTH", "true"))) {
      assertEquals(401, s.get("/metrics").statusCode());
      assertEquals(200, s.get("/metrics", "X-API-Key", "file-key").statusCode());
      assertEquals(
          200,
          s.postJson("/synthesize", "{\"text\":\"Hi\"}", "X-API-Key", "file-key").statusCode());
      assertEquals(200, s.get("/health").statusCode());
    }
  }
}
