package dev.parlance.tts.livekit;

import java.util.ArrayList;
import java.util.List;

/**
 * The audio of one whole text, from {@link Tts#synthesize(String)}: one segment, one final frame.
 */
public interface ChunkedStream extends TtsAudioStream {

  /** The text being spoken. */
  String inputText();

  /** Reads every remaining frame and concatenates them, then closes the stream. */
  default AudioFrame collect() {
    try (this) {
      List<AudioFrame> frames = new ArrayList<>();
      while (hasNext()) {
        frames.add(next().frame());
      }
      return AudioFrame.concat(frames);
    }
  }
}
