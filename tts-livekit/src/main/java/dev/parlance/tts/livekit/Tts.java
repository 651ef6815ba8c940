package dev.parlance.tts.livekit;

/**
 * A text-to-speech service in LiveKit Agents' terms ({@code livekit.agents.tts.TTS}). All audio it
 * emits has {@link #sampleRate()} and {@link #numChannels()}.
 */
public interface Tts extends AutoCloseable {

  /** A name for logs and metrics, e.g. {@code "parlance.parler"}. */
  String label();

  /** The model, e.g. {@code "parler-tts/parler-tts-mini-v1"}. */
  String model();

  /** Who serves the model, e.g. {@code "parlance"}. */
  String provider();

  /** Whether {@link #stream()} is supported. */
  TtsCapabilities capabilities();

  /** Sample rate of every emitted frame. */
  int sampleRate();

  /** Channels of every emitted frame. */
  int numChannels();

  /** Speaks one text with the default {@link ConnOptions}. */
  default ChunkedStream synthesize(String text) {
    return synthesize(text, ConnOptions.DEFAULT);
  }

  /**
   * Speaks one text; synthesis starts at once.
   *
   * @throws dev.parlance.tts.spi.InvalidRequestException the text is empty or too long
   */
  ChunkedStream synthesize(String text, ConnOptions options);

  /** Opens an incremental stream with the default {@link ConnOptions}. */
  default SynthesizeStream stream() {
    return stream(ConnOptions.DEFAULT);
  }

  /**
   * Opens an incremental stream.
   *
   * @throws UnsupportedOperationException {@link TtsCapabilities#streaming()} is false
   */
  SynthesizeStream stream(ConnOptions options);

  /** Adds a receiver of metrics and errors. */
  void addListener(TtsListener listener);

  /** Removes a receiver added with {@link #addListener}. */
  void removeListener(TtsListener listener);

  /** Warms up whatever the first request would otherwise pay for. Does nothing by default. */
  default void prewarm() {}

  /** Releases this TTS's resources; open streams are cancelled. */
  @Override
  void close();
}
