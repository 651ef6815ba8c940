package dev.parlance.tts.livekit.output;

import dev.parlance.tts.livekit.AudioFrame;
import dev.parlance.tts.livekit.SynthesizedAudio;
import dev.parlance.tts.livekit.TtsAudioStream;

/**
 * Where an agent's speech goes, as Agents' room {@code AudioOutput}: {@code captureFrame} for each
 * frame, {@code flush} at the end of a segment, {@code clearBuffer} on barge-in. A WebRTC track in
 * a room is one possible implementation (not provided yet); {@link WavFileAudioOutput} writes a
 * file.
 */
public interface AudioOutput extends AutoCloseable {

  /** Takes one frame; may block to pace playout. */
  void captureFrame(AudioFrame frame);

  /** The current segment is complete. */
  void flush();

  /** Drops audio not yet played (the user interrupted). */
  void clearBuffer();

  /** Releases the output. */
  @Override
  void close();

  /**
   * Plays {@code stream} into this output until it ends, flushing after each final frame.
   *
   * @return frames written
   */
  default long play(TtsAudioStream stream) {
    long frames = 0;
    while (stream.hasNext()) {
      SynthesizedAudio audio = stream.next();
      captureFrame(audio.frame());
      frames++;
      if (audio.isFinal()) {
        flush();
      }
    }
    return frames;
  }
}
