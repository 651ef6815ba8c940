package dev.parlance.tts.core.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.parlance.tts.core.runtime.RuntimeConfig;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.SamplingOptions;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.atomic.LongAdder;

/**
 * Finished audio by {@link PhraseKey}: an in-memory tier bounded by bytes (Caffeine's W-TinyLFU)
 * over an optional {@link DiskAudioStore}. A disk hit is promoted to memory. Clips go in and come
 * out as copies, so callers may keep or modify what they hold.
 *
 * <p>Only deterministic requests are cached (greedy, or sampled from a fixed seed): the same key
 * would otherwise stand for many different utterances. {@code cacheUnseeded} lifts that for
 * deployments that prefer speed to variety.
 */
public final class PhraseCache {
  /** Fixed cost of an entry beyond its samples: key, clip and map overhead. */
  private static final int ENTRY_OVERHEAD_BYTES = 256;

  private final Cache<PhraseKey, AudioClip> memory;
  private final Optional<DiskAudioStore> disk;
  private final boolean cacheUnseeded;
  private final LongAdder hits = new LongAdder();
  private final LongAdder misses = new LongAdder();
  private final LongAdder diskHits = new LongAdder();

  /**
   * @param maxBytes bound of the memory tier; 0 keeps nothing in memory
   * @param disk the persistent tier, if any
   * @param cacheUnseeded whether unseeded sampled audio is cached too
   */
  public PhraseCache(long maxBytes, Optional<DiskAudioStore> disk, boolean cacheUnseeded) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes must be >= 0, got " + maxBytes);
    }
    this.memory =
        Caffeine.newBuilder()
            .maximumWeight(maxBytes)
            .weigher((PhraseKey k, AudioClip v) -> weigh(k, v))
            .executor(Runnable::run) // evict on the caller's thread: no common-pool dependency
            .recordStats()
            .build();
    this.disk = Objects.requireNonNull(disk, "disk");
    this.cacheUnseeded = cacheUnseeded;
  }

  /** The cache {@code config} describes (opening its disk tier if one is set). */
  public static PhraseCache of(RuntimeConfig config) {
    return new PhraseCache(
        config.phraseCacheBytes(),
        config.diskCacheDir().map(dir -> new DiskAudioStore(dir, config.diskCacheBytes())),
        config.cacheUnseeded());
  }

  /** Whether audio made with {@code sampling} (seed already resolved) may be cached. */
  public boolean cacheable(SamplingOptions sampling) {
    return cacheUnseeded || sampling.deterministic();
  }

  /** The audio for {@code key}, from memory or disk. */
  public Optional<AudioClip> get(PhraseKey key) {
    AudioClip clip = memory.getIfPresent(key);
    if (clip == null && disk.isPresent()) {
      clip = disk.get().read(key).orElse(null);
      if (clip != null) {
        diskHits.increment();
        memory.put(key, clip);
      }
    }
    if (clip == null) {
      misses.increment();
      return Optional.empty();
    }
    hits.increment();
    return Optional.of(copy(clip));
  }

  /** Stores {@code clip} in memory and on disk. */
  public void put(PhraseKey key, AudioClip clip) {
    AudioClip own = copy(clip);
    memory.put(key, own);
    disk.ifPresent(d -> d.write(key, own));
  }

  /** Counters and sizes now. */
  public CacheStats stats() {
    memory.cleanUp();
    long weight = memory.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    return new CacheStats(
        hits.sum(),
        misses.sum(),
        memory.stats().evictionCount(),
        memory.estimatedSize(),
        weight,
        diskHits.sum(),
        disk.map(DiskAudioStore::corruptEntries).orElse(0L));
  }

  private static int weigh(PhraseKey key, AudioClip clip) {
    long bytes =
        ENTRY_OVERHEAD_BYTES
            + 2L * (key.text().length() + key.description().length())
            + 4L * clip.samples().length;
    return (int) Math.min(Integer.MAX_VALUE, bytes);
  }

  private static AudioClip copy(AudioClip clip) {
    return new AudioClip(clip.samples().clone(), clip.format());
  }
}
