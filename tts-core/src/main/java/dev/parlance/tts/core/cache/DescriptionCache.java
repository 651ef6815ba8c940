package dev.parlance.tts.core.cache;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import com.github.benmanes.caffeine.cache.RemovalCause;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Per-description values that are expensive to compute and repeat constantly, above all the T5
 * encoder output of a voice description (the encoder is ~40% of Parler's parameters). Bounded by
 * weight (e.g. bytes of the native tensors).
 *
 * <p>Values may hold native memory, so an evicted value is handed to {@code dispose} (e.g. to close
 * its {@code NDArray}s), but only once no {@link Lease} on it is open: a row still decoding with an
 * evicted encoder output keeps it alive until the row leaves.
 *
 * @param <V> the cached value
 */
public final class DescriptionCache<V> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(DescriptionCache.class);

  private final Cache<String, Entry<V>> cache;
  private final Consumer<? super V> dispose;

  /**
   * @param maxWeight the bound, in the weigher's units
   * @param weigher an entry's weight, e.g. its tensor bytes; at most {@code Integer.MAX_VALUE}
   * @param dispose frees a value nobody uses any more
   */
  public DescriptionCache(
      long maxWeight, ToLongFunction<? super V> weigher, Consumer<? super V> dispose) {
    if (maxWeight < 0) {
      throw new IllegalArgumentException("maxWeight must be >= 0, got " + maxWeight);
    }
    Objects.requireNonNull(weigher, "weigher");
    this.dispose = Objects.requireNonNull(dispose, "dispose");
    this.cache =
        Caffeine.newBuilder()
            .maximumWeight(maxWeight)
            .weigher(
                (String k, Entry<V> e) ->
                    (int) Math.min(Integer.MAX_VALUE, Math.max(0, weigher.applyAsLong(e.value))))
            .executor(Runnable::run)
            .removalListener((String k, Entry<V> e, RemovalCause cause) -> e.release())
            .recordStats()
            .build();
  }

  /**
   * The value for {@code description}, computing it with {@code loader} on a miss (once, even when
   * many threads ask at the same time). Close the lease when done with the value.
   */
  public Lease<V> acquire(String description, Function<String, ? extends V> loader) {
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(loader, "loader");
    while (true) {
      List<Entry<V>> created = new ArrayList<>(1);
      Entry<V> entry =
          cache.get(
              description,
              d -> {
                // Born with the caller's reference too: an entry heavier than the whole bound is
                // evicted at once, yet must stay valid for this caller.
                Entry<V> e = new Entry<>(loader.apply(d), dispose, 2);
                created.add(e);
                return e;
              });
      if (!created.isEmpty() && created.get(0) == entry) {
        return new Lease<>(entry);
      }
      if (entry.retain()) {
        return new Lease<>(entry);
      }
      // Raced with its eviction: the entry is already disposed. Compute afresh.
    }
  }

  /**
   * Leases for several descriptions at once, in order (a repeated description gets one lease per
   * occurrence). The distinct descriptions not cached yet are computed in one call to {@code
   * loader}, which returns their values in the order given: e.g. one padded encoder batch instead
   * of one call per description. Counts hits and misses as {@link #acquire} does.
   *
   * @throws RuntimeException what the loader threw; no lease is left open then
   */
  public List<Lease<V>> acquireAll(
      List<String> descriptions, Function<List<String>, ? extends List<? extends V>> loader) {
    Objects.requireNonNull(loader, "loader");
    Map<String, V> loaded = new HashMap<>();
    List<String> missing = new ArrayList<>();
    for (String d : new LinkedHashSet<>(descriptions)) {
      if (!cache.asMap().containsKey(Objects.requireNonNull(d, "description"))) {
        missing.add(d);
      }
    }
    List<Lease<V>> leases = new ArrayList<>(descriptions.size());
    try {
      if (!missing.isEmpty()) {
        List<? extends V> values = loader.apply(List.copyOf(missing));
        if (values.size() != missing.size()) {
          values.forEach(v -> disposeQuietly(dispose, v));
          throw new IllegalStateException(
              "loader returned " + values.size() + " values for " + missing.size());
        }
        for (int i = 0; i < missing.size(); i++) {
          loaded.put(missing.get(i), values.get(i));
        }
      }
      for (String d : descriptions) {
        leases.add(
            acquire(
                d,
                key -> {
                  V v = loaded.remove(key);
                  return v != null ? v : loader.apply(List.of(key)).get(0);
                }));
      }
      return leases;
    } catch (RuntimeException | Error e) {
      leases.forEach(Lease::close);
      throw e;
    } finally {
      // Computed, but another caller's value entered the cache first.
      loaded.values().forEach(v -> disposeQuietly(dispose, v));
    }
  }

  private static <V> void disposeQuietly(Consumer<? super V> dispose, V value) {
    try {
      dispose.accept(value);
    } catch (RuntimeException e) {
      LOG.warn("disposing a cached description value failed", e);
    }
  }

  /** Counters and sizes now. */
  public CacheStats stats() {
    cache.cleanUp();
    com.github.benmanes.caffeine.cache.stats.CacheStats s = cache.stats();
    long weight = cache.policy().eviction().map(e -> e.weightedSize().orElse(0)).orElse(0L);
    return new CacheStats(
        s.hitCount(), s.missCount(), s.evictionCount(), cache.estimatedSize(), weight, 0, 0);
  }

  /** Drops every entry; values are disposed as their leases close. */
  @Override
  public void close() {
    cache.invalidateAll();
    cache.cleanUp();
  }

  /**
   * A claim on a cached value; the value stays valid until this is closed.
   *
   * @param <V> the value type
   */
  public static final class Lease<V> implements AutoCloseable {
    private final Entry<V> entry;
    private boolean closed;

    private Lease(Entry<V> entry) {
      this.entry = entry;
    }

    /** The value. */
    public V value() {
      if (closed) {
        throw new IllegalStateException("lease closed");
      }
      return entry.value;
    }

    /** Gives the claim back; idempotent. */
    @Override
    public synchronized void close() {
      if (!closed) {
        closed = true;
        entry.release();
      }
    }
  }

  /** A value with a reference count: one for the cache, one per open lease. */
  private static final class Entry<V> {
    final V value;
    final Consumer<? super V> dispose;
    final AtomicInteger refs;

    Entry(V value, Consumer<? super V> dispose, int refs) {
      this.value = Objects.requireNonNull(value, "loader returned null");
      this.dispose = dispose;
      this.refs = new AtomicInteger(refs);
    }

    boolean retain() {
      int n;
      do {
        n = refs.get();
        if (n == 0) {
          return false;
        }
      } while (!refs.compareAndSet(n, n + 1));
      return true;
    }

    void release() {
      if (refs.decrementAndGet() == 0) {
        disposeQuietly(dispose, value);
      }
    }
  }
}
