package dev.parlance.tts.core.runtime;

import dev.parlance.tts.spi.TtsRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Function;

/**
 * The runtime's settings: admission limits, batching, caches, voices and pre-warming. Validated on
 * construction; errors name the setting as it is spelt in {@link #fromOptions(Map)}.
 *
 * @param maxInFlight requests synthesising at once ({@code max_in_flight})
 * @param queueCapacity requests allowed to wait for a slot ({@code queue_size}); 0 refuses at once
 * @param maxQueueWait the longest a request waits before it is refused ({@code max_queue_wait_ms})
 * @param maxBatchSize rows in one batched decoder step ({@code max_batch_size})
 * @param memoryReserveBytes device memory kept free of batch rows ({@code memory_reserve_bytes}):
 *     headroom for prefills, the encoder, the DAC and allocator slack
 * @param maxBatchMemoryFraction share of the free device memory, after the reserve, that the rows
 *     of a batch may hold ({@code max_batch_memory_fraction}), in (0, 1]
 * @param phraseCacheBytes in-memory bound of the finished-audio cache ({@code phrase_cache_bytes});
 *     0 disables it
 * @param descriptionCacheBytes bound of the encoder-output cache ({@code description_cache_bytes});
 *     0 disables it
 * @param diskCacheDir directory of the persistent phrase cache tier ({@code disk_cache_dir})
 * @param diskCacheBytes bound of the disk tier ({@code disk_cache_bytes})
 * @param cacheUnseeded also cache audio sampled without a fixed seed ({@code cache_unseeded})
 * @param voicesFile JSON voice presets added to the built-in ones, replacing those of the same name
 *     ({@code voices_file})
 * @param maxTextChars longest input text accepted ({@code max_text_chars})
 * @param prewarm what to synthesise at start-up ({@code prewarm_phrases}, {@code prewarm_voices})
 */
public record RuntimeConfig(
    int maxInFlight,
    int queueCapacity,
    Duration maxQueueWait,
    int maxBatchSize,
    long memoryReserveBytes,
    double maxBatchMemoryFraction,
    long phraseCacheBytes,
    long descriptionCacheBytes,
    Optional<Path> diskCacheDir,
    long diskCacheBytes,
    boolean cacheUnseeded,
    Optional<Path> voicesFile,
    int maxTextChars,
    Prewarm prewarm) {

  /** Defaults sized for one GPU serving voice-agent traffic. */
  public static final RuntimeConfig DEFAULT = builder().build();

  public RuntimeConfig {
    require(maxInFlight >= 1, "max_in_flight", "must be >= 1, got " + maxInFlight);
    require(queueCapacity >= 0, "queue_size", "must be >= 0, got " + queueCapacity);
    Objects.requireNonNull(maxQueueWait, "max_queue_wait_ms");
    require(
        !maxQueueWait.isNegative() && !maxQueueWait.isZero(),
        "max_queue_wait_ms",
        "must be positive, got " + maxQueueWait.toMillis());
    require(maxBatchSize >= 1, "max_batch_size", "must be >= 1, got " + maxBatchSize);
    require(
        memoryReserveBytes >= 0, "memory_reserve_bytes", "must be >= 0, got " + memoryReserveBytes);
    require(
        maxBatchMemoryFraction > 0 && maxBatchMemoryFraction <= 1,
        "max_batch_memory_fraction",
        "must be > 0 and <= 1, got " + maxBatchMemoryFraction);
    require(phraseCacheBytes >= 0, "phrase_cache_bytes", "must be >= 0, got " + phraseCacheBytes);
    require(
        descriptionCacheBytes >= 0,
        "description_cache_bytes",
        "must be >= 0, got " + descriptionCacheBytes);
    diskCacheDir = diskCacheDir == null ? Optional.empty() : diskCacheDir;
    require(diskCacheBytes > 0, "disk_cache_bytes", "must be > 0, got " + diskCacheBytes);
    voicesFile = voicesFile == null ? Optional.empty() : voicesFile;
    require(
        maxTextChars >= 1 && maxTextChars <= TtsRequest.MAX_TEXT_CHARS,
        "max_text_chars",
        "must be between 1 and " + TtsRequest.MAX_TEXT_CHARS + ", got " + maxTextChars);
    prewarm = prewarm == null ? Prewarm.NONE : prewarm;
  }

  /** A builder holding the defaults. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this config's values. */
  public Builder toBuilder() {
    Builder b = new Builder();
    b.maxInFlight = maxInFlight;
    b.queueCapacity = queueCapacity;
    b.maxQueueWait = maxQueueWait;
    b.maxBatchSize = maxBatchSize;
    b.memoryReserveBytes = memoryReserveBytes;
    b.maxBatchMemoryFraction = maxBatchMemoryFraction;
    b.phraseCacheBytes = phraseCacheBytes;
    b.descriptionCacheBytes = descriptionCacheBytes;
    b.diskCacheDir = diskCacheDir.orElse(null);
    b.diskCacheBytes = diskCacheBytes;
    b.cacheUnseeded = cacheUnseeded;
    b.voicesFile = voicesFile.orElse(null);
    b.maxTextChars = maxTextChars;
    b.prewarm = prewarm;
    return b;
  }

  /**
   * Reads the runtime's keys from engine options (e.g. {@code TtsEngineConfig.options()}); other
   * keys are left for the model. Lists are comma-separated, except {@code prewarm_phrases} which is
   * separated by {@code |} because phrases contain commas.
   *
   * @throws IllegalArgumentException a value does not parse or is out of range; the message names
   *     the key
   */
  public static RuntimeConfig fromOptions(Map<String, String> options) {
    Builder b = builder();
    Opt o = new Opt(options);
    o.get("max_in_flight", Integer::parseInt).ifPresent(b::maxInFlight);
    o.get("queue_size", Integer::parseInt).ifPresent(b::queueCapacity);
    o.get("max_queue_wait_ms", Long::parseLong).map(Duration::ofMillis).ifPresent(b::maxQueueWait);
    o.get("max_batch_size", Integer::parseInt).ifPresent(b::maxBatchSize);
    o.get("memory_reserve_bytes", Long::parseLong).ifPresent(b::memoryReserveBytes);
    o.get("max_batch_memory_fraction", Double::parseDouble).ifPresent(b::maxBatchMemoryFraction);
    o.get("phrase_cache_bytes", Long::parseLong).ifPresent(b::phraseCacheBytes);
    o.get("description_cache_bytes", Long::parseLong).ifPresent(b::descriptionCacheBytes);
    o.get("disk_cache_dir", Path::of).ifPresent(b::diskCacheDir);
    o.get("disk_cache_bytes", Long::parseLong).ifPresent(b::diskCacheBytes);
    o.get("cache_unseeded", RuntimeConfig::parseBoolean).ifPresent(b::cacheUnseeded);
    o.get("voices_file", Path::of).ifPresent(b::voicesFile);
    o.get("max_text_chars", Integer::parseInt).ifPresent(b::maxTextChars);
    List<String> phrases = o.get("prewarm_phrases", s -> split(s, "\\|")).orElse(List.of());
    List<String> voices = o.get("prewarm_voices", s -> split(s, ",")).orElse(List.of());
    b.prewarm(new Prewarm(phrases, voices));
    return b.build();
  }

  /**
   * This config as engine options, the inverse of {@link #fromOptions(Map)}: how a host with a
   * typed config passes it through {@code TtsEngineConfig.options()}.
   */
  public Map<String, String> toOptions() {
    Map<String, String> o = new LinkedHashMap<>();
    o.put("max_in_flight", Integer.toString(maxInFlight));
    o.put("queue_size", Integer.toString(queueCapacity));
    o.put("max_queue_wait_ms", Long.toString(maxQueueWait.toMillis()));
    o.put("max_batch_size", Integer.toString(maxBatchSize));
    o.put("memory_reserve_bytes", Long.toString(memoryReserveBytes));
    o.put("max_batch_memory_fraction", Double.toString(maxBatchMemoryFraction));
    o.put("phrase_cache_bytes", Long.toString(phraseCacheBytes));
    o.put("description_cache_bytes", Long.toString(descriptionCacheBytes));
    diskCacheDir.ifPresent(d -> o.put("disk_cache_dir", d.toString()));
    o.put("disk_cache_bytes", Long.toString(diskCacheBytes));
    o.put("cache_unseeded", Boolean.toString(cacheUnseeded));
    voicesFile.ifPresent(f -> o.put("voices_file", f.toString()));
    o.put("max_text_chars", Integer.toString(maxTextChars));
    if (!prewarm.phrases().isEmpty()) {
      for (String phrase : prewarm.phrases()) {
        if (phrase.contains("|")) {
          throw new IllegalArgumentException(
              "prewarm_phrases: a phrase containing '|' cannot be passed as an option");
        }
      }
      o.put("prewarm_phrases", String.join("|", prewarm.phrases()));
    }
    if (!prewarm.voices().isEmpty()) {
      o.put("prewarm_voices", String.join(",", prewarm.voices()));
    }
    return o;
  }

  /**
   * Bytes the rows of a batch may hold together, given the device's free memory before any row
   * runs: {@code (free - memory_reserve_bytes) * max_batch_memory_fraction}, at least 0; unbounded
   * ({@link Long#MAX_VALUE}) when the free memory is unknown (negative).
   */
  public long batchMemoryBudget(long freeBytes) {
    if (freeBytes < 0) {
      return Long.MAX_VALUE;
    }
    return (long) (Math.max(0, freeBytes - memoryReserveBytes) * maxBatchMemoryFraction);
  }

  private static boolean parseBoolean(String s) {
    if (s.equalsIgnoreCase("true")) {
      return true;
    }
    if (s.equalsIgnoreCase("false")) {
      return false;
    }
    throw new IllegalArgumentException("expected true or false");
  }

  private static List<String> split(String s, String separator) {
    return Arrays.stream(s.split(separator)).map(String::strip).filter(x -> !x.isEmpty()).toList();
  }

  private static void require(boolean ok, String setting, String message) {
    if (!ok) {
      throw new IllegalArgumentException(setting + " " + message);
    }
  }

  private record Opt(Map<String, String> options) {
    <T> Optional<T> get(String key, Function<String, T> parse) {
      String raw = options.get(key);
      if (raw == null || raw.isBlank()) {
        return Optional.empty();
      }
      try {
        return Optional.of(parse.apply(raw.strip()));
      } catch (RuntimeException e) {
        throw new IllegalArgumentException(
            key + " has an invalid value \"" + raw + "\": " + e.getMessage(), e);
      }
    }
  }

  /** Fluent construction of a {@link RuntimeConfig}; validation happens in {@link #build()}. */
  public static final class Builder {
    private int maxInFlight = 8;
    private int queueCapacity = 32;
    private Duration maxQueueWait = Duration.ofSeconds(10);
    private int maxBatchSize = 8;
    private long memoryReserveBytes = 1L << 30;
    private double maxBatchMemoryFraction = 0.9;
    private long phraseCacheBytes = 256L << 20;
    private long descriptionCacheBytes = 64L << 20;
    private Path diskCacheDir;
    private long diskCacheBytes = 2L << 30;
    private boolean cacheUnseeded;
    private Path voicesFile;
    private int maxTextChars = TtsRequest.MAX_TEXT_CHARS;
    private Prewarm prewarm = Prewarm.NONE;

    private Builder() {}

    public Builder maxInFlight(int value) {
      maxInFlight = value;
      return this;
    }

    public Builder queueCapacity(int value) {
      queueCapacity = value;
      return this;
    }

    public Builder maxQueueWait(Duration value) {
      maxQueueWait = value;
      return this;
    }

    public Builder maxBatchSize(int value) {
      maxBatchSize = value;
      return this;
    }

    public Builder memoryReserveBytes(long value) {
      memoryReserveBytes = value;
      return this;
    }

    public Builder maxBatchMemoryFraction(double value) {
      maxBatchMemoryFraction = value;
      return this;
    }

    public Builder phraseCacheBytes(long value) {
      phraseCacheBytes = value;
      return this;
    }

    public Builder descriptionCacheBytes(long value) {
      descriptionCacheBytes = value;
      return this;
    }

    public Builder diskCacheDir(Path value) {
      diskCacheDir = value;
      return this;
    }

    public Builder diskCacheBytes(long value) {
      diskCacheBytes = value;
      return this;
    }

    public Builder cacheUnseeded(boolean value) {
      cacheUnseeded = value;
      return this;
    }

    public Builder voicesFile(Path value) {
      voicesFile = value;
      return this;
    }

    public Builder maxTextChars(int value) {
      maxTextChars = value;
      return this;
    }

    public Builder prewarm(Prewarm value) {
      prewarm = value;
      return this;
    }

    public RuntimeConfig build() {
      return new RuntimeConfig(
          maxInFlight,
          queueCapacity,
          maxQueueWait,
          maxBatchSize,
          memoryReserveBytes,
          maxBatchMemoryFraction,
          phraseCacheBytes,
          descriptionCacheBytes,
          Optional.ofNullable(diskCacheDir),
          diskCacheBytes,
          cacheUnseeded,
          Optional.ofNullable(voicesFile),
          maxTextChars,
          prewarm);
    }
  }
}
