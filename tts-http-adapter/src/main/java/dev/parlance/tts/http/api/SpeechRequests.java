package dev.parlance.tts.http.api;

import dev.parlance.tts.http.voice.ServerVoices.ResolvedVoice;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.OptionalLong;

/** Turns validated API fields into a {@link TtsRequest}; shared by both speech APIs. */
public final class SpeechRequests {
  private final int maxInputChars;
  private final Duration timeout;

  public SpeechRequests(int maxInputChars, Duration timeout) {
    this.maxInputChars = maxInputChars;
    this.timeout = timeout;
  }

  /** Rejects text that is over the server's limit, naming the API's own field. */
  String checkText(String text, String field) {
    if (text.length() > maxInputChars) {
      throw new InvalidRequestException(
          field, field + " is " + text.length() + " characters; at most " + maxInputChars);
    }
    return text;
  }

  /**
   * The request to synthesise.
   *
   * @param sampling the client's sampling settings without a seed
   * @param seed the client's seed; the voice preset's seed otherwise
   */
  TtsRequest build(
      String requestId,
      String text,
      ResolvedVoice voice,
      SamplingOptions.Builder sampling,
      OptionalLong seed) {
    sampling.seed(seed.isPresent() ? seed : voice.seed());
    return TtsRequest.builder()
        .id(requestId)
        .text(text)
        .voice(voice.voice())
        .sampling(sampling.build())
        .deadline(Instant.now().plus(timeout))
        .build();
  }
}
