package dev.parlance.tts.core.metrics;

import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.TtsException;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.LongSupplier;

/**
 * One request's measurements, so the engine reports facts ("audio went out", "it failed") and the
 * arithmetic (time to first audio, latency, audio seconds) lives here. Reports the end exactly
 * once, whichever of {@link #completed} and {@link #failed} comes first. Thread-safe.
 */
public final class RequestObserver {
  private final RuntimeListener listener;
  private final LongSupplier nanoTime;
  private final long receivedNanos;
  private final AtomicBoolean sawAudio = new AtomicBoolean();
  private final AtomicBoolean ended = new AtomicBoolean();
  private volatile double audioSeconds;

  private RequestObserver(RuntimeListener listener, LongSupplier nanoTime) {
    this.listener = Objects.requireNonNull(listener, "listener");
    this.nanoTime = nanoTime;
    this.receivedNanos = nanoTime.getAsLong();
    listener.requestReceived();
  }

  /** Starts observing a request that has just arrived (reports {@code requestReceived}). */
  public static RequestObserver start(RuntimeListener listener) {
    return new RequestObserver(listener, System::nanoTime);
  }

  static RequestObserver start(RuntimeListener listener, LongSupplier nanoTime) {
    return new RequestObserver(listener, nanoTime);
  }

  /** The request got its slot after {@code queueWait}. */
  public void admitted(Duration queueWait) {
    listener.requestAdmitted(queueWait);
  }

  /** {@code sampleCount} samples in {@code format} were handed to the caller. */
  public synchronized void audio(long sampleCount, AudioFormat format) {
    if (sampleCount <= 0 || ended.get()) {
      return;
    }
    audioSeconds += format.secondsOf(sampleCount);
    if (sawAudio.compareAndSet(false, true)) {
      listener.firstAudio(elapsed());
    }
  }

  /** The request ended with all its audio; {@code cached} when no synthesis ran. */
  public void completed(boolean cached) {
    if (ended.compareAndSet(false, true)) {
      listener.requestCompleted(elapsed(), audioSeconds, cached);
    }
  }

  /** The request ended with {@code error}. */
  public void failed(TtsException error) {
    if (ended.compareAndSet(false, true)) {
      listener.requestFailed(error.kind(), elapsed());
    }
  }

  private Duration elapsed() {
    return Duration.ofNanos(nanoTime.getAsLong() - receivedNanos);
  }
}
