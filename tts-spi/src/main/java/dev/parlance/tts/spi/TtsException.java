package dev.parlance.tts.spi;

/**
 * Base of every failure an engine reports. Unchecked, so it passes through streams and callbacks;
 * adapters map {@link #kind()} to a status code.
 */
public abstract class TtsException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** What went wrong, in the terms an adapter needs to choose a status. */
  public enum Kind {
    /** The request itself is wrong (HTTP 400). */
    INVALID_REQUEST,
    /** Too much work right now; retry later (HTTP 429). */
    OVERLOADED,
    /** The engine cannot serve: not loaded, not warm, or shutting down (HTTP 503). */
    UNAVAILABLE,
    /** The caller cancelled, or its deadline passed, before synthesis finished. */
    CANCELLED,
    /** A bug or a failure inside the engine (HTTP 500). */
    INTERNAL
  }

  protected TtsException(String message) {
    super(message);
  }

  protected TtsException(String message, Throwable cause) {
    super(message, cause);
  }

  /** The failure's kind. */
  public abstract Kind kind();
}
