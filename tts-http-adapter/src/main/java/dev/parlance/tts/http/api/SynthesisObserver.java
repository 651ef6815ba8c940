package dev.parlance.tts.http.api;

/**
 * Hooks for observing synthesis responses, so metrics stay a pluggable binder rather than calls
 * sprinkled through handlers.
 */
public interface SynthesisObserver {
  /** How a response ended. */
  enum Outcome {
    OK,
    CLIENT_GONE,
    FAILED,
    REJECTED
  }

  /** The first audio bytes left, {@code nanos} after the request was admitted. */
  default void firstAudio(String endpoint, long nanos) {}

  /**
   * A response ended.
   *
   * @param audioSeconds seconds of audio produced
   * @param nanos wall time from admission to the end
   */
  default void finished(
      String endpoint, String format, Outcome outcome, double audioSeconds, long nanos) {}
}
