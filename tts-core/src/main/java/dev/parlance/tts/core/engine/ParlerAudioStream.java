package dev.parlance.tts.core.engine;

import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.CancelledException;
import dev.parlance.tts.spi.EngineFailureException;
import dev.parlance.tts.spi.TtsException;
import dev.parlance.tts.spi.TtsRequest;
import java.util.NoSuchElementException;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The consumer side of one synthesis: chunks arrive from the worker through a queue; {@link
 * #close()} flags cancellation, which the worker checks after every decoder step.
 */
final class ParlerAudioStream implements AudioStream {
  private static final Object END = new Object();

  private final TtsRequest request;
  private final AudioFormat format;
  private final LinkedBlockingQueue<Object> queue = new LinkedBlockingQueue<>();
  private final AtomicBoolean cancelled = new AtomicBoolean();
  private final AtomicBoolean released = new AtomicBoolean();
  private final Runnable onRelease;
  private Object pending;
  private boolean ended;
  private int sequence;
  private long samples;

  /**
   * @param onRelease gives the request's admission slot back; runs once, at close or when the
   *     worker ends, whichever comes first
   */
  ParlerAudioStream(TtsRequest request, AudioFormat format, Runnable onRelease) {
    this.request = request;
    this.format = format;
    this.onRelease = onRelease;
  }

  /** Gives the admission slot back (once). */
  void release() {
    if (released.compareAndSet(false, true)) {
      onRelease.run();
    }
  }

  @Override
  public AudioFormat format() {
    return format;
  }

  @Override
  public TtsRequest request() {
    return request;
  }

  /** Whether the consumer closed the stream. */
  boolean cancelled() {
    return cancelled.get();
  }

  /** Worker side: publishes audio; the last call has {@code last} set. */
  void publish(float[] audio, boolean last) {
    if (cancelled.get() || (audio.length == 0 && !last)) {
      return;
    }
    AudioChunk chunk = new AudioChunk(audio, format, sequence++, samples, last);
    samples += audio.length;
    queue.add(chunk);
    if (last) {
      queue.add(END);
    }
  }

  /** Worker side: ends the stream with a failure. */
  void fail(TtsException error) {
    queue.add(error);
    queue.add(END);
  }

  @Override
  public boolean hasNext() {
    if (pending == null && !ended) {
      if (cancelled.get()) {
        return false;
      }
      try {
        pending = queue.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancelledException("interrupted while waiting for audio", false);
      }
      if (pending == END) {
        pending = null;
        ended = true;
      }
    }
    if (pending instanceof TtsException e) {
      pending = null;
      ended = true;
      throw e;
    }
    return pending != null;
  }

  @Override
  public AudioChunk next() {
    if (!hasNext()) {
      throw new NoSuchElementException("stream ended");
    }
    Object item = pending;
    pending = null;
    if (item instanceof AudioChunk chunk) {
      return chunk;
    }
    throw new EngineFailureException("unexpected stream item " + item);
  }

  @Override
  public void close() {
    if (cancelled.compareAndSet(false, true)) {
      queue.clear();
    }
    release();
  }
}
