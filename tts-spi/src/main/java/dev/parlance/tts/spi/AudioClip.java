package dev.parlance.tts.spi;

import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * A whole synthesised utterance.
 *
 * @param samples PCM float samples in [-1, 1], interleaved when multi-channel; owned by the clip
 * @param format the samples' format
 */
public record AudioClip(float[] samples, AudioFormat format) {

  public AudioClip {
    Objects.requireNonNull(samples, "samples");
    Objects.requireNonNull(format, "format");
  }

  /** The clip made of a stream's chunks, in order. Every chunk must share one format. */
  public static AudioClip concat(List<AudioChunk> chunks, AudioFormat format) {
    int total = 0;
    for (AudioChunk chunk : chunks) {
      if (!chunk.format().equals(format)) {
        throw new IllegalArgumentException(
            "chunk " + chunk.sequence() + " is " + chunk.format() + ", expected " + format);
      }
      total = Math.addExact(total, chunk.size());
    }
    float[] out = new float[total];
    int at = 0;
    for (AudioChunk chunk : chunks) {
      System.arraycopy(chunk.samples(), 0, out, at, chunk.size());
      at += chunk.size();
    }
    return new AudioClip(out, format);
  }

  /** Number of samples. */
  public int size() {
    return samples.length;
  }

  /** How long the clip plays for. */
  public Duration duration() {
    return format.durationOf(samples.length);
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
