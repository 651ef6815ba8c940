package dev.parlance.tts.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsRequest;
import dev.parlance.tts.spi.Voice;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class RuntimeConfigTest {

  @Test
  void defaultsAreBoundedAndCachingIsOn() {
    RuntimeConfig c = RuntimeConfig.DEFAULT;
    assertTrue(c.maxInFlight() >= 1);
    assertTrue(c.queueCapacity() >= 0);
    assertTrue(c.phraseCacheBytes() > 0);
    assertFalse(c.cacheUnseeded());
    assertEquals(Optional.empty(), c.diskCacheDir());
    assertEquals(TtsRequest.MAX_TEXT_CHARS, c.maxTextChars());
    assertFalse(c.prewarm().enabled());
    assertEquals(c, c.toBuilder().build());
  }

  @Test
  void readsEngineOptions() {
    RuntimeConfig c =
        RuntimeConfig.fromOptions(
            Map.ofEntries(
                Map.entry("max_in_flight", "4"),
                Map.entry("queue_size", "0"),
                Map.entry("max_queue_wait_ms", "2500"),
                Map.entry("max_batch_size", "16"),
                Map.entry("memory_reserve_bytes", "2147483648"),
                Map.entry("max_batch_memory_fraction", "0.5"),
                Map.entry("phrase_cache_bytes", "1000"),
                Map.entry("description_cache_bytes", "2000"),
                Map.entry("disk_cache_dir", "cache/tts"),
                Map.entry("cache_unseeded", "TRUE"),
                Map.entry("voices_file", "voices.json"),
                Map.entry("prewarm_phrases", "Hello, how can I help? | One moment, please."),
                Map.entry("prewarm_voices", "jon, lea"),
                Map.entry("some_model_option", "ignored")));
    assertEquals(4, c.maxInFlight());
    assertEquals(0, c.queueCapacity());
    assertEquals(Duration.ofMillis(2500), c.maxQueueWait());
    assertEquals(16, c.maxBatchSize());
    assertEquals(2L << 30, c.memoryReserveBytes());
    assertEquals(0.5, c.maxBatchMemoryFraction());
    assertEquals(1000, c.phraseCacheBytes());
    assertEquals(2000, c.descriptionCacheBytes());
    assertEquals(Optional.of(Path.of("cache/tts")), c.diskCacheDir());
    assertTrue(c.cacheUnseeded());
    assertEquals(Optional.of(Path.of("voices.json")), c.voicesFile());
    assertEquals(List.of("Hello, how can I help?", "One moment, please."), c.prewarm().phrases());
    assertEquals(List.of("jon", "lea"), c.prewarm().voices());
  }

  @Test
  void optionsRoundTrip() {
    RuntimeConfig c =
        RuntimeConfig.builder()
            .maxInFlight(3)
            .queueCapacity(7)
            .maxQueueWait(Duration.ofMillis(1500))
            .maxBatchSize(5)
            .memoryReserveBytes(3_000_000)
            .maxBatchMemoryFraction(0.75)
            .phraseCacheBytes(123)
            .descriptionCacheBytes(456)
            .diskCacheDir(Path.of("tts-cache"))
            .diskCacheBytes(789)
            .cacheUnseeded(true)
            .voicesFile(Path.of("my-voices.json"))
            .maxTextChars(1000)
            .prewarm(new Prewarm(List.of("Hello, there.", "Bye."), List.of("jon", "lea")))
            .build();
    assertEquals(c, RuntimeConfig.fromOptions(c.toOptions()));
    assertEquals(
        RuntimeConfig.DEFAULT, RuntimeConfig.fromOptions(RuntimeConfig.DEFAULT.toOptions()));
  }

  @Test
  void errorsNameTheSetting() {
    assertError(Map.of("max_in_flight", "0"), "max_in_flight must be >= 1");
    assertError(Map.of("max_in_flight", "many"), "max_in_flight has an invalid value \"many\"");
    assertError(Map.of("queue_size", "-1"), "queue_size must be >= 0");
    assertError(Map.of("max_queue_wait_ms", "0"), "max_queue_wait_ms must be positive");
    assertError(Map.of("max_batch_size", "0"), "max_batch_size must be >= 1");
    assertError(Map.of("memory_reserve_bytes", "-1"), "memory_reserve_bytes must be >= 0");
    assertError(
        Map.of("max_batch_memory_fraction", "0"), "max_batch_memory_fraction must be > 0 and <= 1");
    assertError(
        Map.of("max_batch_memory_fraction", "1.5"),
        "max_batch_memory_fraction must be > 0 and <= 1");
    assertError(
        Map.of("max_batch_memory_fraction", "NaN"),
        "max_batch_memory_fraction must be > 0 and <= 1");
    assertError(
        Map.of("max_batch_memory_fraction", "half"),
        "max_batch_memory_fraction has an invalid value \"half\"");
    assertError(Map.of("phrase_cache_bytes", "-5"), "phrase_cache_bytes must be >= 0");
    assertError(Map.of("disk_cache_bytes", "0"), "disk_cache_bytes must be > 0");
    assertError(Map.of("cache_unseeded", "yes"), "cache_unseeded has an invalid value");
    assertError(Map.of("max_text_chars", "5000"), "max_text_chars must be between 1 and 4096");
  }

  @Test
  void batchMemoryBudgetIsTheFreeShareAfterTheReserve() {
    RuntimeConfig c =
        RuntimeConfig.builder().memoryReserveBytes(1000).maxBatchMemoryFraction(0.5).build();
    assertEquals(4500, c.batchMemoryBudget(10_000));
    assertEquals(0, c.batchMemoryBudget(800), "less free than the reserve: no room for rows");
    assertEquals(Long.MAX_VALUE, c.batchMemoryBudget(-1), "unknown free memory: no memory cap");
  }

  private static void assertError(Map<String, String> options, String expected) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> RuntimeConfig.fromOptions(options));
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
  }

  @Test
  void prewarmCrossesPhrasesWithVoices() {
    Prewarm p = new Prewarm(List.of("Hi.", "Bye."), List.of("jon", "lea"));
    List<TtsRequest> requests = p.requests(SamplingOptions.DEFAULT);
    assertEquals(4, requests.size());
    assertEquals("Hi.", requests.get(0).text());
    assertEquals(Voice.preset("jon"), requests.get(0).voice());
    assertEquals(Voice.preset("lea"), requests.get(1).voice());
    assertEquals("Bye.", requests.get(3).text());
    assertEquals(4, requests.stream().map(TtsRequest::id).distinct().count());

    List<TtsRequest> byDefault =
        new Prewarm(List.of("Hi."), List.of()).requests(SamplingOptions.DEFAULT);
    assertEquals(List.of(Voice.defaultVoice()), byDefault.stream().map(TtsRequest::voice).toList());
    assertThrows(IllegalArgumentException.class, () -> new Prewarm(List.of(" "), List.of()));
  }
}
