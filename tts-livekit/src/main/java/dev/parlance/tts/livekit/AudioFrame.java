package dev.parlance.tts.livekit;

import java.time.Duration;
import java.util.Objects;

/**
 * A frame of interleaved signed 16-bit PCM, as LiveKit's {@code rtc.AudioFrame}.
 *
 * @param data interleaved samples; owned by the frame, not copied (do not modify)
 * @param sampleRate samples per second per channel
 * @param numChannels channel count
 */
public record AudioFrame(short[] data, int sampleRate, int numChannels) {

  public AudioFrame {
    Objects.requireNonNull(data, "data");
    if (sampleRate <= 0) {
      throw new IllegalArgumentException("sampleRate must be positive, got " + sampleRate);
    }
    if (numChannels <= 0) {
      throw new IllegalArgumentException("numChannels must be positive, got " + numChannels);
    }
    if (data.length % numChannels != 0) {
      throw new IllegalArgumentException(
          data.length + " samples do not divide into " + numChannels + " channels");
    }
  }

  /** A frame of silence lasting {@code samplesPerChannel} samples. */
  public static AudioFrame silence(int samplesPerChannel, int sampleRate, int numChannels) {
    return new AudioFrame(new short[samplesPerChannel * numChannels], sampleRate, numChannels);
  }

  /** Samples per channel in this frame. */
  public int samplesPerChannel() {
    return data.length / numChannels;
  }

  /** How long this frame plays for. */
  public Duration duration() {
    return Duration.ofNanos(samplesPerChannel() * 1_000_000_000L / sampleRate);
  }

  /** The samples as little-endian bytes ({@code pcm_s16le}, WebRTC's and WAV's layout). */
  public byte[] toLittleEndianBytes() {
    byte[] out = new byte[data.length * 2];
    for (int i = 0; i < data.length; i++) {
      out[2 * i] = (byte) data[i];
      out[2 * i + 1] = (byte) (data[i] >> 8);
    }
    return out;
  }

  /**
   * Concatenates frames of one format, as Agents' {@code combine_audio_frames}.
   *
   * @throws IllegalArgumentException frames differ in rate or channels, or there are none
   */
  public static AudioFrame concat(Iterable<AudioFrame> frames) {
    int total = 0;
    AudioFrame first = null;
    for (AudioFrame f : frames) {
      if (first == null) {
        first = f;
      } else if (f.sampleRate != first.sampleRate || f.numChannels != first.numChannels) {
        throw new IllegalArgumentException("frames differ in sample rate or channel count");
      }
      total += f.data.length;
    }
    if (first == null) {
      throw new IllegalArgumentException("no frames to concatenate");
    }
    short[] out = new short[total];
    int at = 0;
    for (AudioFrame f : frames) {
      System.arraycopy(f.data, 0, out, at, f.data.length);
      at += f.data.length;
    }
    return new AudioFrame(out, first.sampleRate, first.numChannels);
  }
}
