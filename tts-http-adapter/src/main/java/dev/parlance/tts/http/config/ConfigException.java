package dev.parlance.tts.http.config;

/** A configuration variable is missing, malformed or out of range; the message names it. */
public final class ConfigException extends IllegalArgumentException {
  private static final long serialVersionUID = 1L;

  private final String variable;

  public ConfigException(String variable, String problem) {
    super(variable + " " + problem);
    this.variable = variable;
  }

  /** The environment variable at fault. */
  public String variable() {
    return variable;
  }
}
