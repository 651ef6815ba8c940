package dev.parlance.tts.core.metrics;

import dev.parlance.tts.spi.TtsException;
import java.time.Duration;
import java.util.List;

/**
 * Events the engine and its scheduler report, so measuring stays out of the business logic. Every
 * method has an empty default; implementations must be thread-safe and fast (they run on the decode
 * thread). {@link TtsMetrics} turns these into Micrometer meters.
 */
public interface RuntimeListener {

  /** Ignores every event. */
  RuntimeListener NONE = new RuntimeListener() {};

  /** A request arrived (before admission). */
  default void requestReceived() {}

  /** A request got its in-flight slot after waiting {@code queueWait}. */
  default void requestAdmitted(Duration queueWait) {}

  /** The first audio of a request was handed out {@code sinceReceived} after it arrived. */
  default void firstAudio(Duration sinceReceived) {}

  /**
   * A request finished with all its audio.
   *
   * @param latency from arrival to the last sample
   * @param audioSeconds seconds of audio produced
   * @param cached served from the phrase cache without synthesis
   */
  default void requestCompleted(Duration latency, double audioSeconds, boolean cached) {}

  /** A request failed (including refusals at admission and cancellations). */
  default void requestFailed(TtsException.Kind kind, Duration latency) {}

  /** One batched decoder step ran over {@code batchSize} rows in {@code stepNanos}. */
  default void batchStep(int batchSize, long stepNanos) {}

  /** A listener forwarding every event to each of {@code listeners}, in order. */
  static RuntimeListener composite(List<? extends RuntimeListener> listeners) {
    List<RuntimeListener> all = List.copyOf(listeners);
    return new RuntimeListener() {
      @Override
      public void requestReceived() {
        all.forEach(RuntimeListener::requestReceived);
      }

      @Override
      public void requestAdmitted(Duration queueWait) {
        all.forEach(l -> l.requestAdmitted(queueWait));
      }

      @Override
      public void firstAudio(Duration sinceReceived) {
        all.forEach(l -> l.firstAudio(sinceReceived));
      }

      @Override
      public void requestCompleted(Duration latency, double audioSeconds, boolean cached) {
        all.forEach(l -> l.requestCompleted(latency, audioSeconds, cached));
      }

      @Override
      public void requestFailed(TtsException.Kind kind, Duration latency) {
        all.forEach(l -> l.requestFailed(kind, latency));
      }

      @Override
      public void batchStep(int batchSize, long stepNanos) {
        all.forEach(l -> l.batchStep(batchSize, stepNanos));
      }
    };
  }
}
