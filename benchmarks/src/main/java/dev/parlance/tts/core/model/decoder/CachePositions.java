package dev.parlance.tts.core.model.decoder;

import ai.djl.ndarray.NDArray;

/**
 * Benchmark-only access to a {@link KvCache}'s fill level (same package name as tts-core, so it
 * lives beside the benchmarks, never in the library). A decoder step's cost depends on the cache's
 * shapes, not its values, so a step "at position C" is timed by zeroing the cache and declaring C
 * positions filled instead of running C real steps first (minutes at batch 8 on a CPU).
 */
public final class CachePositions {

  private CachePositions() {}

  /** Zeroes every self-attention key/value slot (the cache starts uninitialised). */
  public static void zero(KvCache cache) {
    for (NDArray[] arrays : new NDArray[][] {cache.selfKeysT, cache.selfValues}) {
      for (int i = 0; i < arrays.length; i++) {
        NDArray zeros = arrays[i].zerosLike();
        arrays[i].close();
        arrays[i] = zeros;
      }
    }
  }

  /** Declares the first {@code length} positions filled; the next step writes position length. */
  public static void rewind(KvCache cache, int length) {
    if (length < 0 || length >= cache.capacity) {
      throw new IllegalArgumentException("position " + length + " outside the cache's capacity");
    }
    cache.length = length;
  }
}
