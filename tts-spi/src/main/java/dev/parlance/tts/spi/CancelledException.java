package dev.parlance.tts.spi;

/** Synthesis stopped before it finished because the caller cancelled or its deadline passed. */
public final class CancelledException extends TtsException {
  private static final long serialVersionUID = 1L;

  private final boolean deadlineExceeded;

  public CancelledException(String message, boolean deadlineExceeded) {
    super(message);
    this.deadlineExceeded = deadlineExceeded;
  }

  /** True when the request's deadline passed, false when the caller cancelled. */
  public boolean deadlineExceeded() {
    return deadlineExceeded;
  }

  @Override
  public Kind kind() {
    return Kind.CANCELLED;
  }
}
