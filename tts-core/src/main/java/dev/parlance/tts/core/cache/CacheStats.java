package dev.parlance.tts.core.cache;

/**
 * A point-in-time view of one cache, for metrics and health pages.
 *
 * @param hits lookups served from the cache (any tier)
 * @param misses lookups that found nothing
 * @param evictions entries dropped to stay within the bound
 * @param entries entries held in memory now
 * @param weightBytes estimated bytes held in memory now
 * @param diskHits hits served from the disk tier (included in {@code hits})
 * @param diskCorrupt disk entries found corrupt or truncated, ignored and deleted
 */
public record CacheStats(
    long hits,
    long misses,
    long evictions,
    long entries,
    long weightBytes,
    long diskHits,
    long diskCorrupt) {

  /** Stats of a cache that is switched off. */
  public static final CacheStats EMPTY = new CacheStats(0, 0, 0, 0, 0, 0, 0);

  /** Hits over lookups, or 0 before the first lookup. */
  public double hitRate() {
    long lookups = hits + misses;
    return lookups == 0 ? 0 : (double) hits / lookups;
  }
}
