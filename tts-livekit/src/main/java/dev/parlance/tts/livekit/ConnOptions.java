package dev.parlance.tts.livekit;

import java.time.Duration;
import java.util.Objects;

/**
 * Retry policy, as Agents' {@code APIConnectOptions}. A failed engine request is retried only while
 * none of its audio has been emitted: once a listener may have heard part of a sentence, replaying
 * it would repeat words, so the failure is surfaced instead.
 *
 * @param maxRetry retries after the first attempt, at least 0
 * @param retryInterval pause before each retry
 */
public record ConnOptions(int maxRetry, Duration retryInterval) {

  /** Agents' defaults: 3 retries, 2 s apart. */
  public static final ConnOptions DEFAULT = new ConnOptions(3, Duration.ofSeconds(2));

  /** No retry at all. */
  public static final ConnOptions NO_RETRY = new ConnOptions(0, Duration.ZERO);

  public ConnOptions {
    if (maxRetry < 0) {
      throw new IllegalArgumentException("maxRetry must be >= 0, got " + maxRetry);
    }
    Objects.requireNonNull(retryInterval, "retryInterval");
    if (retryInterval.isNegative()) {
      throw new IllegalArgumentException("retryInterval must not be negative");
    }
  }
}
