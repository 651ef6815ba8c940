package dev.parlance.tts.core.runtime;

import dev.parlance.tts.core.metrics.RequestObserver;
import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.CancelledException;
import dev.parlance.tts.spi.TtsException;
import dev.parlance.tts.spi.TtsRequest;
import java.util.NoSuchElementException;
import java.util.Objects;

/**
 * The SPI's {@link AudioStream} over a {@link StreamBuffer} of sample blocks that the scheduler
 * fills. Numbers the chunks, ends the stream with an empty chunk marked {@link AudioChunk#last()}
 * (so no chunk waits for its successor to learn it is last), and reports first audio, completion or
 * failure to the request's {@link RequestObserver}.
 *
 * <p>Closing the stream closes the buffer, whose close listeners (e.g. {@code ticket::cancel}) stop
 * synthesis within one step.
 */
public final class ChunkedAudioStream implements AudioStream {
  private final TtsRequest request;
  private final AudioFormat format;
  private final StreamBuffer<float[]> buffer;
  private final RequestObserver observer;
  private final boolean cached;
  private int sequence;
  private long position;
  private boolean ended;

  /**
   * @param buffer where synthesis delivers sample blocks
   * @param observer the request's measurements
   * @param cached whether the audio comes from a cache rather than synthesis
   */
  public ChunkedAudioStream(
      TtsRequest request,
      AudioFormat format,
      StreamBuffer<float[]> buffer,
      RequestObserver observer,
      boolean cached) {
    this.request = Objects.requireNonNull(request, "request");
    this.format = Objects.requireNonNull(format, "format");
    this.buffer = Objects.requireNonNull(buffer, "buffer");
    this.observer = Objects.requireNonNull(observer, "observer");
    this.cached = cached;
  }

  /** A stream of a finished clip (e.g. a phrase-cache hit): one chunk, then the end. */
  public static ChunkedAudioStream ofClip(
      TtsRequest request, AudioClip clip, RequestObserver observer) {
    StreamBuffer<float[]> buffer = new StreamBuffer<>();
    buffer.accept(clip.samples());
    buffer.complete();
    return new ChunkedAudioStream(request, clip.format(), buffer, observer, true);
  }

  @Override
  public AudioFormat format() {
    return format;
  }

  @Override
  public TtsRequest request() {
    return request;
  }

  @Override
  public synchronized boolean hasNext() {
    if (ended) {
      return false;
    }
    try {
      if (buffer.hasNext()) {
        return true;
      }
    } catch (TtsException e) {
      ended = true;
      observer.failed(e);
      throw e;
    }
    if (buffer.isClosed()) {
      return false; // close() reports the end
    }
    return true; // the closing empty chunk is still due
  }

  @Override
  public synchronized AudioChunk next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the stream has ended");
    }
    if (buffer.hasNext()) {
      float[] samples = buffer.next();
      AudioChunk chunk = new AudioChunk(samples, format, sequence++, position, false);
      position += samples.length;
      observer.audio(samples.length, format);
      return chunk;
    }
    ended = true;
    observer.completed(cached);
    return new AudioChunk(new float[0], format, sequence++, position, true);
  }

  /** Stops synthesis if it still runs; reported as a cancellation unless the stream had ended. */
  @Override
  public void close() {
    buffer.close();
    synchronized (this) {
      if (!ended) {
        ended = true;
        observer.failed(new CancelledException("stream closed by the caller", false));
      }
    }
  }
}
