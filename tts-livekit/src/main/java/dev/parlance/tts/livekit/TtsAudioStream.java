package dev.parlance.tts.livekit;

import java.util.Iterator;

/**
 * Audio coming out of a {@link Tts}, frame by frame. {@link #hasNext()} blocks until a frame is
 * ready or the stream ends; a synthesis failure is thrown from it as a {@link
 * dev.parlance.tts.spi.TtsException} after the frames produced before it.
 *
 * <p>{@link #close()} cancels (barge-in), from any thread: synthesis stops within one decoding
 * step, and once {@code close()} has returned no further frame is delivered.
 */
public interface TtsAudioStream extends Iterator<SynthesizedAudio>, AutoCloseable {

  /** Cancels synthesis; idempotent and thread-safe. */
  @Override
  void close();
}
