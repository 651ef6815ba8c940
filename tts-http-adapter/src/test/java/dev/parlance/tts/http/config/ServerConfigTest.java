package dev.parlance.tts.http.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ServerConfigTest {
  @Test
  void defaults() {
    ServerConfig c = ServerConfig.fromEnv(Map.of());
    assertEquals("parler", c.modelType());
    assertEquals("parler-tts/parler-tts-mini-v1", c.model());
    assertEquals("auto", c.device());
    assertEquals(8001, c.port());
    assertEquals("0.0.0.0", c.host());
    assertFalse(c.authEnabled());
    assertFalse(c.metricsRequireAuth());
    assertEquals(4096, c.maxInputChars());
    assertEquals(Duration.ofSeconds(30), c.shutdownTimeout());
    assertEquals("parler-tts/parler-tts-mini-v1", c.engineConfig().model());
  }

  @Test
  void modelPathWinsOverNameAndEverythingIsRead(@TempDir Path dir) throws Exception {
    Path keys = Files.writeString(dir.resolve("keys.txt"), "from-file\n\n# comment\n");
    ServerConfig c =
        ServerConfig.fromEnv(
            Map.ofEntries(
                Map.entry("TTS_MODEL_TYPE", "parler"),
                Map.entry("TTS_MODEL_NAME", "parler-tts/parler-tts-large-v1"),
                Map.entry("TTS_MODEL_PATH", dir.toString()),
                Map.entry("TTS_DEVICE", "cuda:1"),
                Map.entry("TTS_DTYPE", "float16"),
                Map.entry("TTS_ENGINE_OPTIONS", "max_batch_size=8, cache_size=100"),
                Map.entry("TTS_HOST", "127.0.0.1"),
                Map.entry("TTS_PORT", "9000"),
                Map.entry("TTS_API_KEY", "a,b"),
                Map.entry("TTS_API_KEYS_FILE", keys.toString()),
                Map.entry("TTS_METRICS_AUTH", "true"),
                Map.entry("TTS_SHUTDOWN_TIMEOUT_SECONDS", "5")));
    assertEquals(dir.toString(), c.model());
    assertEquals("cuda:1", c.engineConfig().device());
    assertEquals("float16", c.engineConfig().dtype());
    assertEquals(Map.of("max_batch_size", "8", "cache_size", "100"), c.engineConfig().options());
    assertEquals(9000, c.port());
    assertEquals(Set.of("a", "b", "from-file"), c.apiKeys());
    assertTrue(c.metricsRequireAuth());
    assertEquals(Duration.ofSeconds(5), c.shutdownTimeout());
    assertFalse(c.toString().contains("from-file"), "keys never printed");
  }

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "TTS_PORT|eighty|TTS_PORT must be an integer",
        "TTS_PORT|70000|TTS_PORT must be between 0 and 65535",
        "TTS_DEVICE|tpu|TTS_DEVICE must be auto, cpu, cuda or cuda:N",
        "TTS_MODEL_PATH|/no/such/dir|TTS_MODEL_PATH is not a directory",
        "TTS_METRICS_AUTH|maybe|TTS_METRICS_AUTH must be true or false",
        "TTS_MAX_INPUT_CHARS|5000|TTS_MAX_INPUT_CHARS must be between 1 and 4096",
        "TTS_ENGINE_OPTIONS|novalue|TTS_ENGINE_OPTIONS entries must be key=value",
        "TTS_API_KEYS_FILE|/no/such/file|TTS_API_KEYS_FILE cannot be read",
        "TTS_MODEL_TYPE|Parler TTS|TTS_MODEL_TYPE must be a provider name",
      })
  void invalidValuesNameTheVariable(String name, String value, String message) {
    ConfigException e =
        assertThrows(ConfigException.class, () -> ServerConfig.fromEnv(Map.of(name, value)));
    assertEquals(name, e.variable());
    assertTrue(e.getMessage().startsWith(message), e.getMessage());
  }

  @Test
  void theVoicesFileIsHandedToTheEngineOnce(@TempDir Path dir) throws Exception {
    Path voices = Files.writeString(dir.resolve("voices.json"), "{}");
    ServerConfig c =
        ServerConfig.fromEnv(
            Map.of("TTS_VOICES_FILE", voices.toString(), "TTS_ENGINE_OPTIONS", "queue_size=4"));
    assertEquals(
        Map.of("voices_file", voices.toString(), "queue_size", "4"), c.engineConfig().options());

    assertEquals(
        "TTS_VOICES_FILE",
        assertThrows(
                ConfigException.class,
                () -> ServerConfig.fromEnv(Map.of("TTS_VOICES_FILE", dir.toString())))
            .variable(),
        "a directory is not a voices file");
    ConfigException both =
        assertThrows(
            ConfigException.class,
            () ->
                ServerConfig.fromEnv(
                    Map.of(
                        "TTS_VOICES_FILE",
                        voices.toString(),
                        "TTS_ENGINE_OPTIONS",
                        "voices_file=" + voices)));
    assertEquals("TTS_VOICES_FILE", both.variable());
    assertTrue(both.getMessage().contains("both set"), both.getMessage());
  }

  @Test
  void metricsAuthNeedsAKey() {
    ConfigException e =
        assertThrows(
            ConfigException.class, () -> ServerConfig.fromEnv(Map.of("TTS_METRICS_AUTH", "true")));
    assertEquals("TTS_METRICS_AUTH", e.variable());
  }
}
