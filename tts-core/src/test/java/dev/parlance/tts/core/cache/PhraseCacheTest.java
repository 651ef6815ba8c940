package dev.parlance.tts.core.cache;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.core.runtime.RuntimeConfig;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.SamplingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PhraseCacheTest {
  private static final String MODEL = "parler-tts/parler-tts-mini-v1";
  private static final String REV = "0123abc";
  private static final SamplingOptions SEEDED = SamplingOptions.DEFAULT.withSeed(42);

  @TempDir Path dir;

  private static PhraseKey key(String text) {
    return PhraseKey.of(text, "A calm voice.", SEEDED, MODEL, REV);
  }

  private static AudioClip clip(int samples, float base) {
    float[] s = new float[samples];
    for (int i = 0; i < samples; i++) {
      s[i] = base + i * 1e-4f;
    }
    return new AudioClip(s, AudioFormat.PARLER);
  }

  @Test
  void keysDifferInEveryFieldThatDeterminesAudio() {
    PhraseKey base = key("Hello.");
    assertEquals(base, key("Hello."));
    assertEquals(base.digest(), key("Hello.").digest());
    assertNotEquals(base, key("Hello!"));
    assertNotEquals(base, PhraseKey.of("Hello.", "A loud voice.", SEEDED, MODEL, REV));
    assertNotEquals(
        base,
        PhraseKey.of("Hello.", "A calm voice.", SamplingOptions.DEFAULT.withSeed(43), MODEL, REV));
    assertNotEquals(
        base,
        PhraseKey.of(
            "Hello.", "A calm voice.", SEEDED.toBuilder().temperature(0.7).build(), MODEL, REV));
    assertNotEquals(base, PhraseKey.of("Hello.", "A calm voice.", SEEDED, MODEL, "other-rev"));
    assertNotEquals(
        base,
        PhraseKey.of("Hello.", "A calm voice.", SEEDED, "parler-tts/parler-tts-large-v1", REV));
    // Field boundaries cannot be forged by moving text between fields.
    PhraseKey a = PhraseKey.of("a\n1:b", "c", SEEDED, MODEL, REV);
    PhraseKey b = PhraseKey.of("a", "b\n1:c", SEEDED, MODEL, REV);
    assertNotEquals(a.canonical(), b.canonical());
    assertNotEquals(a.digest(), b.digest());
  }

  @Test
  void onlyDeterministicSamplingIsCachedUnlessConfigured() {
    PhraseCache strict = new PhraseCache(1 << 20, Optional.empty(), false);
    assertFalse(strict.cacheable(SamplingOptions.DEFAULT));
    assertTrue(strict.cacheable(SEEDED));
    assertTrue(strict.cacheable(SamplingOptions.builder().greedy(true).build()));
    PhraseCache lenient = new PhraseCache(1 << 20, Optional.empty(), true);
    assertTrue(lenient.cacheable(SamplingOptions.DEFAULT));
  }

  @Test
  void servesCopiesAndCountsHitsAndMisses() {
    PhraseCache cache = new PhraseCache(1 << 20, Optional.empty(), false);
    assertTrue(cache.get(key("a")).isEmpty());
    AudioClip original = clip(100, 0.1f);
    cache.put(key("a"), original);
    original.samples()[0] = 9f; // the caller's array is not the cached one
    AudioClip first = cache.get(key("a")).orElseThrow();
    assertEquals(0.1f, first.samples()[0]);
    first.samples()[1] = 9f;
    assertArrayEquals(clip(100, 0.1f).samples(), cache.get(key("a")).orElseThrow().samples());
    CacheStats stats = cache.stats();
    assertEquals(2, stats.hits());
    assertEquals(1, stats.misses());
    assertEquals(1, stats.entries());
  }

  @Test
  void memoryTierStaysWithinItsByteBound() {
    long bound = 3 * (4L * 10_000 + 1024);
    PhraseCache cache = new PhraseCache(bound, Optional.empty(), false);
    for (int i = 0; i < 20; i++) {
      cache.put(key("phrase " + i), clip(10_000, i));
    }
    CacheStats stats = cache.stats();
    assertTrue(stats.weightBytes() <= bound, stats.toString());
    assertTrue(stats.evictions() >= 17, stats.toString());
    assertTrue(stats.entries() <= 3, stats.toString());
  }

  @Test
  void diskTierSurvivesARestart() {
    RuntimeConfig config = RuntimeConfig.builder().diskCacheDir(dir).build();
    PhraseCache before = PhraseCache.of(config);
    AudioClip audio = clip(5_000, 0.25f);
    before.put(key("persisted"), audio);

    PhraseCache after = PhraseCache.of(config); // a new process would see the same
    AudioClip back = after.get(key("persisted")).orElseThrow();
    assertArrayEquals(audio.samples(), back.samples());
    assertEquals(audio.format(), back.format());
    assertEquals(1, after.stats().diskHits());
    after.get(key("persisted"));
    assertEquals(1, after.stats().diskHits(), "the second hit comes from memory");
  }

  @Test
  void corruptAndTruncatedEntriesAreNeverServedAndGetRewritten() throws IOException {
    DiskAudioStore store = new DiskAudioStore(dir, 1L << 30);
    PhraseKey k = key("fragile");
    AudioClip audio = clip(2_000, 0.5f);
    store.write(k, audio);
    Path file = store.fileOf(k);

    byte[] bytes = Files.readAllBytes(file);
    bytes[bytes.length / 2] ^= 0x40; // one flipped bit inside the samples
    Files.write(file, bytes);
    PhraseCache cache = new PhraseCache(1 << 20, Optional.of(store), false);
    assertTrue(cache.get(k).isEmpty());
    assertEquals(1, cache.stats().diskCorrupt());
    assertFalse(Files.exists(file), "a corrupt entry is deleted");

    cache.put(k, audio);
    byte[] whole = Files.readAllBytes(file);
    Files.write(file, java.util.Arrays.copyOf(whole, whole.length - 100)); // truncated
    PhraseCache fresh = new PhraseCache(1 << 20, Optional.of(store), false);
    assertTrue(fresh.get(k).isEmpty());
    assertEquals(2, store.corruptEntries());

    fresh.put(k, audio); // rewritten, then served
    PhraseCache third = new PhraseCache(1 << 20, Optional.of(store), false);
    assertArrayEquals(audio.samples(), third.get(k).orElseThrow().samples());
  }

  @Test
  void anEntryUnderAnotherKeysNameIsNotServed() throws IOException {
    DiskAudioStore store = new DiskAudioStore(dir, 1L << 30);
    store.write(key("one"), clip(100, 0.1f));
    Files.copy(
        store.fileOf(key("one")), store.fileOf(key("two")), StandardCopyOption.REPLACE_EXISTING);
    assertTrue(store.read(key("two")).isEmpty());
    assertTrue(store.read(key("one")).isPresent());
  }

  @Test
  void leftoverTemporaryFilesAreRemovedAndTheDiskBoundHolds() throws IOException {
    Files.writeString(dir.resolve("abc.pcm123.tmp"), "half an entry");
    long bound = 3 * (4L * 1_000 + 1_000);
    DiskAudioStore store = new DiskAudioStore(dir, bound);
    for (int i = 0; i < 10; i++) {
      store.write(key("p" + i), clip(1_000, i));
    }
    try (Stream<Path> files = Files.list(dir)) {
      long total = 0;
      for (Path p : (Iterable<Path>) files::iterator) {
        assertTrue(p.toString().endsWith(".pcm"), "unexpected file " + p);
        total += Files.size(p);
      }
      assertTrue(total <= bound, total + " > " + bound);
      assertEquals(total, store.sizeBytes());
    }
  }
}
