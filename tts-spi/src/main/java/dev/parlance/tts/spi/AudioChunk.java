package dev.parlance.tts.spi;

import java.time.Duration;
import java.util.Objects;

/**
 * A piece of a streamed utterance, in order. Concatenating every chunk's samples gives the whole
 * utterance.
 *
 * @param samples PCM float samples in [-1, 1], interleaved when multi-channel; owned by the chunk
 * @param format the samples' format
 * @param sequence 0-based position of this chunk in its stream
 * @param startSample index, in the whole stream, of this chunk's first sample
 * @param last whether this is the stream's final chunk (it may be empty)
 */
public record AudioChunk(
    float[] samples, AudioFormat format, int sequence, long startSample, boolean last) {

  public AudioChunk {
    Objects.requireNonNull(samples, "samples");
    Objects.requireNonNull(format, "format");
    if (sequence < 0) {
      throw new IllegalArgumentException("sequence must be >= 0, got " + sequence);
    }
    if (startSample < 0) {
      throw new IllegalArgumentException("startSample must be >= 0, got " + startSample);
    }
  }

  /** Number of samples in this chunk. */
  public int size() {
    return samples.length;
  }

  /** How long this chunk plays for. */
  public Duration duration() {
    return format.durationOf(samples.length);
  }

  /** Where this chunk starts in the stream, as playback time. */
  public Duration startTime() {
    return format.durationOf(startSample);
  }

  /** The samples as 16-bit values. */
  public short[] pcm16() {
    return Pcm16.toShorts(samples);
  }

  /** The samples as little-endian 16-bit PCM bytes. */
  public byte[] pcm16LittleEndian() {
    return Pcm16.toLittleEndianBytes(samples);
  }
}
