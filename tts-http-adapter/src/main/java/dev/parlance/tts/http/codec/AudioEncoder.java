package dev.parlance.tts.http.codec;

/**
 * Turns mono 16-bit PCM into the bytes of one container format, incrementally, so audio can be sent
 * while it is still being synthesised. Not thread-safe: one encoder per response.
 *
 * <p>Call {@link #start()} once, {@link #encode(short[])} for every piece, then {@link #finish()}.
 * A response buffered whole may pass its bytes through {@link #complete(byte[])} to fill in what a
 * stream cannot know up front (total length, checksums).
 */
public interface AudioEncoder {
  /** The bytes that precede any audio (a file header), possibly none. */
  byte[] start();

  /** Encodes the next samples; may return nothing while it buffers a frame. */
  byte[] encode(short[] samples);

  /** Flushes what is buffered and ends the stream. */
  byte[] finish();

  /** The whole encoded file with its header completed; the default changes nothing. */
  default byte[] complete(byte[] whole) {
    return whole;
  }
}
