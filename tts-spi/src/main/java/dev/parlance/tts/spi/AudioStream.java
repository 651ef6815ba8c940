package dev.parlance.tts.spi;

import java.util.Iterator;

/**
 * Audio of one request, delivered chunk by chunk as the engine produces it.
 *
 * <p>{@link #hasNext()} blocks until the next chunk is ready or the stream ends; a failure during
 * synthesis is thrown from {@code hasNext()}/{@code next()} as a {@link TtsException}. The last
 * chunk has {@link AudioChunk#last()} set.
 *
 * <p>{@link #close()} may be called at any moment from any thread (a client hung up, a user barged
 * in): synthesis stops within one decoding step, its capacity is released, and no chunk is
 * delivered afterwards. Closing a finished stream does nothing. Always close streams, e.g. with
 * try-with-resources.
 */
public interface AudioStream extends Iterator<AudioChunk>, AutoCloseable {

  /** The format of every chunk. */
  AudioFormat format();

  /** The request this stream answers. */
  TtsRequest request();

  /** Stops synthesis and releases its resources; idempotent and thread-safe. */
  @Override
  void close();

  /** Reads every remaining chunk into one clip, then closes the stream. */
  default AudioClip readAll() {
    try (this) {
      java.util.List<AudioChunk> chunks = new java.util.ArrayList<>();
      while (hasNext()) {
        chunks.add(next());
      }
      return AudioClip.concat(chunks, format());
    }
  }
}
