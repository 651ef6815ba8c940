package dev.parlance.tts.core.cache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class DescriptionCacheTest {

  /** Stands for an encoder output holding native memory. */
  static final class Native {
    final String description;
    final int bytes;
    volatile boolean closed;

    Native(String description, int bytes) {
      this.description = description;
      this.bytes = bytes;
    }

    void close() {
      if (closed) {
        throw new AssertionError("closed twice: " + description);
      }
      closed = true;
    }
  }

  private final AtomicInteger loads = new AtomicInteger();

  private static DescriptionCache<Native> cache(long maxBytes) {
    return new DescriptionCache<>(maxBytes, v -> v.bytes, Native::close);
  }

  private Native load(String d, int bytes) {
    loads.incrementAndGet();
    return new Native(d, bytes);
  }

  @Test
  void computesOncePerDescriptionUnderConcurrency() {
    DescriptionCache<Native> cache = cache(1 << 20);
    int threads = 12;
    assertTimeoutPreemptively(
        Duration.ofSeconds(30),
        () -> {
          ExecutorService pool = Executors.newFixedThreadPool(threads);
          CountDownLatch go = new CountDownLatch(1);
          List<Future<Native>> got = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            got.add(
                pool.submit(
                    () -> {
                      go.await();
                      try (DescriptionCache.Lease<Native> lease =
                          cache.acquire(
                              "A warm voice.",
                              d -> {
                                sleep(20);
                                return load(d, 100);
                              })) {
                        return lease.value();
                      }
                    }));
          }
          go.countDown();
          Native first = got.get(0).get();
          for (Future<Native> f : got) {
            assertSame(first, f.get());
          }
          pool.shutdown();
        });
    assertEquals(1, loads.get());
    CacheStats stats = cache.stats();
    assertEquals(threads, stats.hits() + stats.misses());
    assertEquals(1, stats.entries());
  }

  @Test
  void evictedValuesAreDisposedOnlyAfterTheirLastLease() {
    DescriptionCache<Native> cache = cache(250);
    DescriptionCache.Lease<Native> held = cache.acquire("first", d -> load(d, 100));
    Native first = held.value();
    for (int i = 0; i < 5; i++) {
      cache.acquire("other " + i, d -> load(d, 100)).close();
    }
    CacheStats stats = cache.stats();
    assertTrue(stats.evictions() >= 3, stats.toString());
    assertTrue(stats.weightBytes() <= 250, stats.toString());
    assertFalse(first.closed, "evicted while leased: must stay open");
    held.close();
    assertTrue(first.closed);
    held.close(); // idempotent: no double dispose
    assertThrows(IllegalStateException.class, held::value);
  }

  @Test
  void aValueHeavierThanTheBoundIsServedThenDisposed() {
    DescriptionCache<Native> cache = cache(50);
    Native big;
    try (DescriptionCache.Lease<Native> lease = cache.acquire("huge", d -> load(d, 100))) {
      big = lease.value();
      assertFalse(big.closed);
    }
    assertTrue(big.closed);
    assertEquals(0, cache.stats().entries());
  }

  @Test
  void closeDisposesEverythingNotLeased() {
    DescriptionCache<Native> cache = cache(1 << 20);
    cache.acquire("a", d -> load(d, 10)).close();
    DescriptionCache.Lease<Native> b = cache.acquire("b", d -> load(d, 10));
    Native a;
    try (DescriptionCache.Lease<Native> again = cache.acquire("a", d -> load(d, 10))) {
      a = again.value();
    }
    assertEquals(2, loads.get());
    cache.close();
    assertTrue(a.closed);
    assertFalse(b.value().closed);
    Native bv = b.value();
    b.close();
    assertTrue(bv.closed);
  }

  private static void sleep(long ms) {
    try {
      Thread.sleep(ms);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  @Test
  void acquireAllLoadsTheMissingDistinctDescriptionsInOneCall() {
    DescriptionCache<Native> cache = cache(1 << 20);
    DescriptionCache.Lease<Native> cached = cache.acquire("b", d -> load(d, 10));
    List<List<String>> calls = new ArrayList<>();
    List<DescriptionCache.Lease<Native>> leases =
        cache.acquireAll(
            List.of("a", "b", "c", "a"),
            missing -> {
              calls.add(missing);
              return missing.stream().map(d -> load(d, 10)).toList();
            });
    assertEquals(List.of(List.of("a", "c")), calls);
    assertEquals(
        List.of("a", "b", "c", "a"), leases.stream().map(l -> l.value().description).toList());
    assertSame(cached.value(), leases.get(1).value());
    assertSame(leases.get(0).value(), leases.get(3).value());
    CacheStats stats = cache.stats();
    assertEquals(3, stats.misses()); // b, then a and c
    assertEquals(2, stats.hits()); // b and the second a
    // Reference counts as with acquire: values outlive the cache until their last lease closes.
    Native a = leases.get(0).value();
    Native b = cached.value();
    cache.close();
    leases.get(0).close();
    assertFalse(a.closed, "a is still leased once more");
    leases.forEach(DescriptionCache.Lease::close);
    assertTrue(a.closed);
    assertFalse(b.closed, "b is still leased");
    cached.close();
    assertTrue(b.closed);
  }

  @Test
  void acquireAllLeavesNothingOpenWhenTheLoaderFails() {
    DescriptionCache<Native> cache = cache(1 << 20);
    Native b = load("b", 10);
    DescriptionCache.Lease<Native> lease = cache.acquire("b", d -> b);
    assertThrows(
        IllegalStateException.class,
        () ->
            cache.acquireAll(
                List.of("b", "a"),
                missing -> {
                  throw new IllegalStateException("encoder failed");
                }));
    List<Native> returned = new ArrayList<>();
    assertThrows(
        IllegalStateException.class,
        () ->
            cache.acquireAll(
                List.of("x", "y"),
                missing -> {
                  returned.add(load("x", 10));
                  return returned; // one value for two descriptions
                }));
    assertTrue(returned.get(0).closed, "a value the cache did not take is disposed");
    assertEquals(1, cache.stats().entries());
    lease.close();
    cache.close();
    assertTrue(b.closed, "the failed calls left no lease on b");
  }
}
