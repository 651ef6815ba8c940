package dev.parlance.tts.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsEngines;
import dev.parlance.tts.spi.TtsRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Pre-warming, the phrase and description caches and the metrics binder of the engine. */
class ParlerEngineCacheTest {
  private static final String PHRASE = "Hello there.";
  private static final SamplingOptions SHORT =
      SamplingOptions.builder().maxDuration(Duration.ofMillis(10)).build();
  @TempDir static Path disk;
  private static ParlerEngine engine;
  private static final SimpleMeterRegistry REGISTRY = new SimpleMeterRegistry();

  @BeforeAll
  static void load() {
    engine =
        (ParlerEngine)
            TtsEngines.load(
                "parler",
                TtsEngineConfig.builder()
                    .model(Fixtures.checkpoint("tiny-rope-gqa-fused").toString())
                    .device("cpu")
                    .dtype("float32")
                    .option("chunk_frames", "4")
                    .option("disk_cache_dir", disk.toString())
                    .option("prewarm_phrases", PHRASE)
                    .option("prewarm_voices", "jon,lea")
                    .build());
    engine.metrics().bindTo(REGISTRY);
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  @Test
  void prewarmedPhrasesAreWarmAndServedFromTheCache() throws InterruptedException {
    assertTrue(engine.health().warm(), engine.health().detail());
    awaitCacheEntries(2); // jon and lea
    long steps = engine.decoderSteps();
    // the default sampling with the preset's seed: the key pre-warming used
    AudioClip clip = engine.synthesize(TtsRequest.builder().text(PHRASE).voice("lea").build());
    assertEquals(steps, engine.decoderSteps(), "a pre-warmed phrase runs no decoder step");
    assertTrue(clip.samples().length > 0);
  }

  @Test
  void aPhraseCacheHitReturnsIdenticalAudioWithoutTheModel() throws InterruptedException {
    TtsRequest request =
        TtsRequest.builder()
            .text("Cache me if you can.")
            .voice("jon")
            .sampling(SHORT.toBuilder().seed(99).build())
            .build();
    long entries = engine.phraseCache().stats().entries();
    long before = engine.decoderSteps();
    AudioClip first = engine.synthesize(request);
    assertTrue(engine.decoderSteps() > before, "the first request runs the model");
    awaitCacheEntries(entries + 1);
    long steps = engine.decoderSteps();
    long hits = engine.phraseCache().stats().hits();
    AudioClip again = engine.synthesize(request);
    assertEquals(steps, engine.decoderSteps(), "a hit runs no decoder step");
    assertEquals(hits + 1, engine.phraseCache().stats().hits());
    assertArrayEquals(first.samples(), again.samples());
    assertTrue(REGISTRY.get("tts.cache.hits").tag("cache", "phrase").functionCounter().count() > 0);
  }

  @Test
  void unseededRequestsAreNotCachedAndDescriptionsAre() {
    String description = "A calm voice in a quiet room, used only by this test.";
    TtsRequest unseeded =
        TtsRequest.builder().text("Say it fresh.").description(description).sampling(SHORT).build();
    long entries = engine.phraseCache().stats().entries();
    long descriptionHits =
        (long) REGISTRY.get("tts.cache.hits").tag("cache", "description").functionCounter().count();
    engine.synthesize(unseeded);
    long before = engine.decoderSteps();
    engine.synthesize(unseeded);
    assertTrue(engine.decoderSteps() > before, "unseeded audio is synthesised again");
    assertEquals(entries, engine.phraseCache().stats().entries());
    assertTrue(
        REGISTRY.get("tts.cache.hits").tag("cache", "description").functionCounter().count()
            > descriptionHits,
        "the second request reuses the encoded description");
  }

  @Test
  void metricsCountRequestsAndSteps() {
    engine.synthesize(
        TtsRequest.builder()
            .text("Count me.")
            .voice("lea")
            .sampling(SHORT.toBuilder().seed(5).build())
            .build());
    assertTrue(REGISTRY.get("tts.requests").counter().count() >= 1);
    assertTrue(REGISTRY.get("tts.batch.size").summary().count() >= 1);
    assertTrue(REGISTRY.get("tts.time.to.first.audio").timer().count() >= 1);
  }

  /** Phrase-cache writes run off the decode thread. */
  private static void awaitCacheEntries(long n) {
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          while (engine.phraseCache().stats().entries() < n) {
            Thread.sleep(5);
          }
        });
  }
}
