package dev.parlance.tts.spi;

/** An unexpected failure inside the engine; the request may be retried, the engine stays usable. */
public final class EngineFailureException extends TtsException {
  private static final long serialVersionUID = 1L;

  public EngineFailureException(String message, Throwable cause) {
    super(message, cause);
  }

  public EngineFailureException(String message) {
    super(message);
  }

  @Override
  public Kind kind() {
    return Kind.INTERNAL;
  }
}
