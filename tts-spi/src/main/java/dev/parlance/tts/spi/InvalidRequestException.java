package dev.parlance.tts.spi;

/** The request is malformed or asks for something the engine does not have. */
public final class InvalidRequestException extends TtsException {
  private static final long serialVersionUID = 1L;

  private final String field;

  /**
   * @param field the request field at fault, as clients name it (e.g. {@code "text"}, {@code
   *     "sampling.temperature"}); never null
   * @param message what is wrong and what would be right
   */
  public InvalidRequestException(String field, String message) {
    super(message);
    this.field = java.util.Objects.requireNonNull(field, "field");
  }

  /** The request field at fault. */
  public String field() {
    return field;
  }

  @Override
  public Kind kind() {
    return Kind.INVALID_REQUEST;
  }
}
