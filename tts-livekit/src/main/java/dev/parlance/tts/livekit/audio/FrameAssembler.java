package dev.parlance.tts.livekit.audio;

import dev.parlance.tts.livekit.AudioFrame;
import dev.parlance.tts.spi.Pcm16;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Cuts a segment's float samples, arriving in chunks of any size, into 16-bit frames of one fixed
 * duration. The last complete frame is held back until more audio arrives or the segment ends, so
 * that the true last frame of a segment can be flagged final (Agents' emitter does the same).
 *
 * <p>Not thread-safe: one assembler per segment producer.
 */
public final class FrameAssembler {
  private final int sampleRate;
  private final int numChannels;
  private final int frameSamples; // interleaved samples per frame
  private final short[] partial;
  private int partialLength;
  private AudioFrame held;
  private boolean audioSeen;

  /**
   * @param sampleRate rate of the pushed samples
   * @param numChannels channels of the pushed (interleaved) samples
   * @param frameDuration 10 or 20 ms as WebRTC wants, or any duration giving a whole sample count
   */
  public FrameAssembler(int sampleRate, int numChannels, Duration frameDuration) {
    if (sampleRate <= 0 || numChannels <= 0) {
      throw new IllegalArgumentException("sampleRate and numChannels must be positive");
    }
    long nanos = frameDuration.toNanos();
    if (nanos <= 0 || (sampleRate * nanos) % 1_000_000_000L != 0) {
      throw new IllegalArgumentException(
          "frame duration "
              + frameDuration.toMillis()
              + " ms is not a whole number of samples at "
              + sampleRate
              + " Hz");
    }
    this.sampleRate = sampleRate;
    this.numChannels = numChannels;
    this.frameSamples = (int) (sampleRate * nanos / 1_000_000_000L) * numChannels;
    this.partial = new short[frameSamples];
  }

  /** Samples per channel in every frame. */
  public int samplesPerFrame() {
    return frameSamples / numChannels;
  }

  /** Whether any sample was pushed since the segment started. */
  public boolean hasAudio() {
    return audioSeen;
  }

  /**
   * Adds samples and returns the frames that are now certain not to be the segment's last.
   *
   * @param samples interleaved floats in [-1, 1] (clipped otherwise)
   */
  public List<AudioFrame> push(float[] samples) {
    List<AudioFrame> ready = new ArrayList<>();
    if (samples.length > 0) {
      audioSeen = true;
    }
    for (float sample : samples) {
      partial[partialLength++] = Pcm16.toShort(sample);
      if (partialLength == frameSamples) {
        if (held != null) {
          ready.add(held);
        }
        held = new AudioFrame(partial.clone(), sampleRate, numChannels);
        partialLength = 0;
      }
    }
    return ready;
  }

  /**
   * Ends the segment: returns the frames still held, the last of which is the segment's final
   * frame; a trailing part frame is padded with silence to full length. Empty when no audio was
   * pushed since the segment started. The assembler is then ready for a new segment.
   */
  public List<AudioFrame> finish() {
    List<AudioFrame> rest = new ArrayList<>(2);
    if (held != null) {
      rest.add(held);
    }
    if (partialLength > 0) {
      short[] padded = new short[frameSamples];
      System.arraycopy(partial, 0, padded, 0, partialLength);
      rest.add(new AudioFrame(padded, sampleRate, numChannels));
    }
    held = null;
    partialLength = 0;
    audioSeen = false;
    return rest;
  }
}
