package dev.parlance.tts.core.metrics;

import dev.parlance.tts.core.cache.CacheStats;
import dev.parlance.tts.spi.TtsException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.MeterBinder;
import java.time.Duration;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.LongSupplier;
import java.util.function.Supplier;
import java.util.function.ToDoubleFunction;

/**
 * Micrometer meters for the runtime: a {@link MeterBinder} for the gauges it reads (queue depth,
 * in-flight, batch rows, caches) and a {@link RuntimeListener} for the events the engine reports.
 * Micrometer is an optional dependency of tts-core; only this class touches it.
 *
 * <p>Names as Prometheus shows them: {@code tts_requests_total}, {@code tts_latency_seconds}
 * (histogram, tag {@code outcome}), {@code tts_errors_total} (tag {@code type}), {@code
 * tts_queue_depth}, {@code tts_inflight_streams}, {@code tts_queue_wait_seconds}, {@code
 * tts_batch_size}, {@code tts_batch_active_rows}, {@code tts_step_duration_seconds}, {@code
 * tts_time_to_first_audio_seconds} (histogram), {@code tts_real_time_factor} (processing time over
 * audio time; below 1 is faster than real time), {@code tts_audio_produced_seconds_total}, and per
 * cache (tag {@code cache}): {@code tts_cache_hits_total}, {@code tts_cache_misses_total}, {@code
 * tts_cache_evictions_total}, {@code tts_cache_size_bytes}, {@code tts_cache_entries}.
 *
 * <p>Events before {@link #bindTo} are not recorded. Bind to one registry (use a composite registry
 * for several).
 */
public final class TtsMetrics implements MeterBinder, RuntimeListener {
  private static final Duration MIN_LATENCY = Duration.ofMillis(10);
  private static final Duration MAX_LATENCY = Duration.ofSeconds(120);

  private final IntSupplier queueDepth;
  private final IntSupplier inFlight;
  private final IntSupplier activeRows;
  private final LongSupplier batchMemory;
  private final LongSupplier batchMemoryBudget;
  private final Map<String, Supplier<CacheStats>> caches;
  private volatile Meters meters;

  private TtsMetrics(Builder b) {
    this.queueDepth = b.queueDepth;
    this.inFlight = b.inFlight;
    this.activeRows = b.activeRows;
    this.batchMemory = b.batchMemory;
    this.batchMemoryBudget = b.batchMemoryBudget;
    this.caches = Map.copyOf(b.caches);
  }

  /** A builder; every gauge source is optional. */
  public static Builder builder() {
    return new Builder();
  }

  @Override
  public synchronized void bindTo(MeterRegistry registry) {
    if (meters != null) {
      throw new IllegalStateException("already bound; use a CompositeMeterRegistry for several");
    }
    Gauge.builder("tts.queue.depth", queueDepth, s -> s.getAsInt())
        .description("Requests waiting for admission")
        .strongReference(true)
        .register(registry);
    Gauge.builder("tts.inflight.streams", inFlight, s -> s.getAsInt())
        .description("Requests admitted and synthesising")
        .strongReference(true)
        .register(registry);
    Gauge.builder("tts.batch.active.rows", activeRows, s -> s.getAsInt())
        .description("Rows in the decoder batch now")
        .strongReference(true)
        .register(registry);
    Gauge.builder("tts.batch.memory", batchMemory, s -> s.getAsLong())
        .baseUnit("bytes")
        .description("Estimated memory held by the rows in the decoder batch")
        .strongReference(true)
        .register(registry);
    Gauge.builder("tts.batch.memory.budget", batchMemoryBudget, TtsMetrics::bytesOrNaN)
        .baseUnit("bytes")
        .description("Memory the rows of the decoder batch may hold (NaN: unbounded)")
        .strongReference(true)
        .register(registry);
    caches.forEach((name, stats) -> bindCache(registry, name, stats));
    meters = new Meters(registry);
  }

  private static double bytesOrNaN(LongSupplier bytes) {
    long b = bytes.getAsLong();
    return b == Long.MAX_VALUE ? Double.NaN : b;
  }

  private static void bindCache(MeterRegistry registry, String name, Supplier<CacheStats> stats) {
    cacheCounter(registry, "tts.cache.hits", name, stats, CacheStats::hits, "Cache lookups served");
    cacheCounter(
        registry, "tts.cache.misses", name, stats, CacheStats::misses, "Cache lookups missed");
    cacheCounter(
        registry,
        "tts.cache.evictions",
        name,
        stats,
        CacheStats::evictions,
        "Entries evicted to stay within the bound");
    Gauge.builder("tts.cache.size", stats, s -> s.get().weightBytes())
        .tag("cache", name)
        .baseUnit("bytes")
        .description("Estimated bytes held in memory")
        .strongReference(true)
        .register(registry);
    Gauge.builder("tts.cache.entries", stats, s -> s.get().entries())
        .tag("cache", name)
        .description("Entries held in memory")
        .strongReference(true)
        .register(registry);
  }

  private static void cacheCounter(
      MeterRegistry registry,
      String meter,
      String cache,
      Supplier<CacheStats> stats,
      ToDoubleFunction<CacheStats> field,
      String description) {
    FunctionCounter.builder(meter, stats, s -> field.applyAsDouble(s.get()))
        .tag("cache", cache)
        .description(description)
        .register(registry);
  }

  @Override
  public void requestReceived() {
    Meters m = meters;
    if (m != null) {
      m.requests.increment();
    }
  }

  @Override
  public void requestAdmitted(Duration queueWait) {
    Meters m = meters;
    if (m != null) {
      m.queueWait.record(queueWait);
    }
  }

  @Override
  public void firstAudio(Duration sinceReceived) {
    Meters m = meters;
    if (m != null) {
      m.timeToFirstAudio.record(sinceReceived);
    }
  }

  @Override
  public void requestCompleted(Duration latency, double audioSeconds, boolean cached) {
    Meters m = meters;
    if (m == null) {
      return;
    }
    m.latencyOk.record(latency);
    m.audioSeconds.increment(audioSeconds);
    if (!cached && audioSeconds > 0) {
      m.realTimeFactor.record(latency.toNanos() / 1e9 / audioSeconds);
    }
  }

  @Override
  public void requestFailed(TtsException.Kind kind, Duration latency) {
    Meters m = meters;
    if (m == null) {
      return;
    }
    m.errors.get(kind).increment();
    m.latencyFailed.get(kind).record(latency);
  }

  @Override
  public void batchStep(int batchSize, long stepNanos) {
    Meters m = meters;
    if (m == null) {
      return;
    }
    m.batchSize.record(batchSize);
    m.stepDuration.record(Duration.ofNanos(stepNanos));
  }

  private static String tagOf(TtsException.Kind kind) {
    return kind.name().toLowerCase(Locale.ROOT);
  }

  /** Meters created at bind time, so the event path does no lookups. */
  private static final class Meters {
    final Counter requests;
    final Timer latencyOk;
    final Map<TtsException.Kind, Timer> latencyFailed = new EnumMap<>(TtsException.Kind.class);
    final Map<TtsException.Kind, Counter> errors = new EnumMap<>(TtsException.Kind.class);
    final Timer queueWait;
    final Timer timeToFirstAudio;
    final DistributionSummary realTimeFactor;
    final Counter audioSeconds;
    final DistributionSummary batchSize;
    final Timer stepDuration;

    Meters(MeterRegistry r) {
      requests = Counter.builder("tts.requests").description("Requests received").register(r);
      latencyOk = latency("ok").register(r);
      for (TtsException.Kind kind : TtsException.Kind.values()) {
        latencyFailed.put(kind, latency(tagOf(kind)).register(r));
        errors.put(
            kind,
            Counter.builder("tts.errors")
                .tag("type", tagOf(kind))
                .description("Requests that failed, by kind")
                .register(r));
      }
      queueWait =
          Timer.builder("tts.queue.wait")
              .description("Time spent waiting for admission")
              .register(r);
      timeToFirstAudio =
          Timer.builder("tts.time.to.first.audio")
              .description("From arrival to the first audio handed out")
              .publishPercentileHistogram()
              .minimumExpectedValue(MIN_LATENCY)
              .maximumExpectedValue(MAX_LATENCY)
              .register(r);
      realTimeFactor =
          DistributionSummary.builder("tts.real.time.factor")
              .description("Processing time over audio duration (below 1 is faster than real time)")
              .register(r);
      audioSeconds =
          Counter.builder("tts.audio.produced")
              .baseUnit("seconds")
              .description("Seconds of audio produced")
              .register(r);
      batchSize =
          DistributionSummary.builder("tts.batch.size")
              .description("Rows per batched decoder step")
              .register(r);
      stepDuration =
          Timer.builder("tts.step.duration")
              .description("Wall time of one batched decoder step")
              .register(r);
    }

    private static Timer.Builder latency(String outcome) {
      return Timer.builder("tts.latency")
          .tag("outcome", outcome)
          .description("From arrival to the end of the request")
          .publishPercentileHistogram()
          .minimumExpectedValue(MIN_LATENCY)
          .maximumExpectedValue(MAX_LATENCY);
    }
  }

  /** Fluent construction of {@link TtsMetrics}. */
  public static final class Builder {
    private IntSupplier queueDepth = () -> 0;
    private IntSupplier inFlight = () -> 0;
    private IntSupplier activeRows = () -> 0;
    private LongSupplier batchMemory = () -> 0;
    private LongSupplier batchMemoryBudget = () -> Long.MAX_VALUE;
    private final Map<String, Supplier<CacheStats>> caches = new LinkedHashMap<>();

    private Builder() {}

    /** Source of {@code tts_queue_depth}, e.g. {@code admission::queueDepth}. */
    public Builder queueDepth(IntSupplier source) {
      queueDepth = Objects.requireNonNull(source);
      return this;
    }

    /** Source of {@code tts_inflight_streams}, e.g. {@code admission::inFlight}. */
    public Builder inFlight(IntSupplier source) {
      inFlight = Objects.requireNonNull(source);
      return this;
    }

    /** Source of {@code tts_batch_active_rows}, e.g. {@code scheduler::activeRows}. */
    public Builder activeRows(IntSupplier source) {
      activeRows = Objects.requireNonNull(source);
      return this;
    }

    /**
     * Sources of {@code tts_batch_memory_bytes} and {@code tts_batch_memory_budget_bytes}, e.g.
     * {@code scheduler::activeBytes, scheduler::memoryBudget}; a budget of {@link Long#MAX_VALUE}
     * (unbounded) is exported as NaN.
     */
    public Builder batchMemory(LongSupplier held, LongSupplier budget) {
      batchMemory = Objects.requireNonNull(held);
      batchMemoryBudget = Objects.requireNonNull(budget);
      return this;
    }

    /**
     * A cache to export under tag {@code cache=name}, e.g. {@code "phrase", phraseCache::stats}.
     */
    public Builder cache(String name, Supplier<CacheStats> stats) {
      caches.put(Objects.requireNonNull(name), Objects.requireNonNull(stats));
      return this;
    }

    public TtsMetrics build() {
      return new TtsMetrics(this);
    }
  }
}
