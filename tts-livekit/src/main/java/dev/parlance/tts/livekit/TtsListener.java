package dev.parlance.tts.livekit;

/**
 * Receives a {@link Tts}'s metrics and errors (Agents' {@code metrics_collected} and {@code error}
 * events). Called on the synthesis thread: return quickly and do not throw.
 */
public interface TtsListener {

  /** A request or segment finished or was cancelled. */
  default void onMetrics(TtsMetrics metrics) {}

  /** An attempt failed; {@link TtsError#recoverable()} tells whether it is retried. */
  default void onError(TtsError error) {}
}
