package dev.parlance.tts.spi;

import java.util.List;

/**
 * A text-to-speech engine. Implementations are thread-safe: many requests may be in flight at once,
 * subject to the engine's own admission limits ({@link OverloadedException}).
 */
public interface TtsEngine extends AutoCloseable {

  /** The provider name this engine was created by, e.g. {@code "parler"}. */
  String name();

  /** The loaded model's id, e.g. {@code "parler-tts/parler-tts-mini-v1"}. */
  String modelId();

  /** The format of all audio this engine produces. */
  AudioFormat audioFormat();

  /** What this engine supports. */
  Capabilities capabilities();

  /** Named voices, the {@code default} preset first. */
  List<VoiceInfo> voices();

  /** Readiness right now. */
  EngineHealth health();

  /**
   * Synthesises the whole request and returns it as one clip. Blocks the calling thread.
   *
   * @throws InvalidRequestException the engine cannot serve this request (e.g. unknown voice)
   * @throws OverloadedException the engine is at capacity
   * @throws EngineUnavailableException the engine is not ready or is shutting down
   * @throws CancelledException the request's deadline passed
   * @throws EngineFailureException anything else
   */
  AudioClip synthesize(TtsRequest request);

  /**
   * Starts synthesising and returns at once with a stream of chunks. Admission errors (invalid,
   * overloaded, unavailable) are thrown here, before any audio; later failures come out of the
   * stream.
   */
  AudioStream stream(TtsRequest request);

  /** Stops taking work, cancels what is in flight and frees the model. */
  @Override
  void close();
}
