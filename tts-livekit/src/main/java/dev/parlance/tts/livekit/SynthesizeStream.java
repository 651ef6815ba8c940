package dev.parlance.tts.livekit;

/**
 * Text in as an LLM produces it, audio out as soon as a sentence is complete; from {@link
 * Tts#stream()}. Input methods may be called from one thread while another reads frames.
 *
 * <p>Text between two {@link #flush()}es is a segment: its frames share a segment id and the last
 * one is final. After {@link #endInput()} the remaining text is spoken and the stream ends.
 */
public interface SynthesizeStream extends TtsAudioStream {

  /**
   * Adds text (a token, a word, a sentence).
   *
   * @throws IllegalStateException the input was ended or the stream closed
   */
  void pushText(String text);

  /**
   * Marks a segment boundary: the text pushed so far is spoken in full, its last frame is final.
   *
   * @throws IllegalStateException the input was ended or the stream closed
   */
  void flush();

  /** Flushes and declares that no more text follows; the stream ends after the last segment. */
  void endInput();
}
