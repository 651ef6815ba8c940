package dev.parlance.tts.spi;

import java.time.Duration;

/**
 * The shape of PCM audio: sample rate and channel count. Samples are interleaved when there is more
 * than one channel.
 *
 * @param sampleRate samples per second per channel, positive
 * @param channels channel count, positive
 */
public record AudioFormat(int sampleRate, int channels) {

  /** Parler-TTS (DAC 44.1 kHz) output: 44,100 Hz mono. */
  public static final AudioFormat PARLER = new AudioFormat(44_100, 1);

  public AudioFormat {
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate must be positive, got " + sampleRate);
    }
    if (channels <= 0) {
      throw new IllegalArgumentException("channels must be positive, got " + channels);
    }
  }

  /** Mono audio at the given rate. */
  public static AudioFormat mono(int sampleRate) {
    return new AudioFormat(sampleRate, 1);
  }

  /** Frames (samples per channel) in {@code duration}, rounded down. */
  public long framesIn(Duration duration) {
    return duration.toNanos() * sampleRate / 1_000_000_000L;
  }

  /** How long {@code sampleCount} interleaved samples play for. */
  public Duration durationOf(long sampleCount) {
    long frames = sampleCount / channels;
    return Duration.ofNanos(frames * 1_000_000_000L / sampleRate);
  }

  /** Seconds of audio in {@code sampleCount} interleaved samples, as a double. */
  public double secondsOf(long sampleCount) {
    return (double) sampleCount / channels / sampleRate;
  }

  /** Bytes per second of 16-bit PCM in this format. */
  public int pcm16BytesPerSecond() {
    return sampleRate * channels * 2;
  }
}
