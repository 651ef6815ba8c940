package dev.parlance.tts.spi;

import java.time.Duration;
import java.util.Objects;

/** The engine refused the request at admission because it is at capacity. */
public final class OverloadedException extends TtsException {
  private static final long serialVersionUID = 1L;

  private final Duration retryAfter;

  /**
   * @param message why, e.g. which bound was hit
   * @param retryAfter when a retry is likely to be admitted; at least one second is reported
   */
  public OverloadedException(String message, Duration retryAfter) {
    super(message);
    Objects.requireNonNull(retryAfter, "retryAfter");
    this.retryAfter =
        retryAfter.compareTo(Duration.ofSeconds(1)) < 0 ? Duration.ofSeconds(1) : retryAfter;
  }

  /** When the caller should retry; never less than one second. */
  public Duration retryAfter() {
    return retryAfter;
  }

  /** {@link #retryAfter()} rounded up to whole seconds, as HTTP's {@code Retry-After} wants it. */
  public long retryAfterSeconds() {
    long seconds = retryAfter.getSeconds();
    return retryAfter.getNano() > 0 ? seconds + 1 : seconds;
  }

  @Override
  public Kind kind() {
    return Kind.OVERLOADED;
  }
}
