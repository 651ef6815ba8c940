package dev.parlance.tts.spi;

/** The engine cannot serve now: still loading or warming, failed to load, or shutting down. */
public final class EngineUnavailableException extends TtsException {
  private static final long serialVersionUID = 1L;

  public EngineUnavailableException(String message) {
    super(message);
  }

  public EngineUnavailableException(String message, Throwable cause) {
    super(message, cause);
  }

  @Override
  public Kind kind() {
    return Kind.UNAVAILABLE;
  }
}
