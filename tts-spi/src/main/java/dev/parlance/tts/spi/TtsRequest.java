package dev.parlance.tts.spi;

import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * One thing to say. Validated on construction: a request that exists is well-formed, so every
 * adapter rejects bad input with the same {@link InvalidRequestException}. Whether the voice exists
 * is the engine's check.
 *
 * @param id request id for logs and metrics (an {@code X-Request-Id}); generated when absent
 * @param text what to say; non-blank, at most {@value #MAX_TEXT_CHARS} characters
 * @param voice a named preset or a description
 * @param sampling how tokens are chosen
 * @param deadline when the caller stops caring; synthesis still running then is cancelled
 */
public record TtsRequest(
    String id, String text, Voice voice, SamplingOptions sampling, Optional<Instant> deadline) {

  /** Longest accepted text, in characters (OpenAI's speech API limit). */
  public static final int MAX_TEXT_CHARS = 4096;

  /** Longest accepted request id. */
  public static final int MAX_ID_CHARS = 128;

  public TtsRequest {
    if (id == null || id.isBlank()) {
      id = UUID.randomUUID().toString();
    } else if (id.length() > MAX_ID_CHARS || !id.chars().allMatch(TtsRequest::isIdChar)) {
      throw new InvalidRequestException(
          "id",
          "request id must be at most "
              + MAX_ID_CHARS
              + " printable ASCII characters without spaces");
    }
    if (text == null || text.isBlank()) {
      throw new InvalidRequestException("text", "text must not be empty");
    }
    if (text.length() > MAX_TEXT_CHARS) {
      throw new InvalidRequestException(
          "text", "text is " + text.length() + " characters; at most " + MAX_TEXT_CHARS);
    }
    voice = voice == null ? Voice.defaultVoice() : voice;
    sampling = sampling == null ? SamplingOptions.DEFAULT : sampling;
    deadline = deadline == null ? Optional.empty() : deadline;
  }

  /** The text in the default voice with default sampling. */
  public static TtsRequest of(String text) {
    return builder().text(text).build();
  }

  /** A builder; {@link Builder#build()} validates. */
  public static Builder builder() {
    return new Builder();
  }

  /** A builder holding this request's values. */
  public Builder toBuilder() {
    return new Builder()
        .id(id)
        .text(text)
        .voice(voice)
        .sampling(sampling)
        .deadline(deadline.orElse(null));
  }

  private static boolean isIdChar(int c) {
    return c > 0x20 && c < 0x7f;
  }

  /** Fluent construction of a {@link TtsRequest}. */
  public static final class Builder {
    private String id;
    private String text;
    private Voice voice;
    private SamplingOptions sampling;
    private Instant deadline;

    private Builder() {}

    public Builder id(String value) {
      id = value;
      return this;
    }

    public Builder text(String value) {
      text = value;
      return this;
    }

    public Builder voice(Voice value) {
      voice = value;
      return this;
    }

    /** Shorthand for {@code voice(Voice.preset(name))}. */
    public Builder voice(String presetName) {
      voice = Voice.preset(presetName);
      return this;
    }

    /** Shorthand for {@code voice(Voice.described(description))}. */
    public Builder description(String description) {
      voice = Voice.described(description);
      return this;
    }

    public Builder sampling(SamplingOptions value) {
      sampling = value;
      return this;
    }

    public Builder deadline(Instant value) {
      deadline = value;
      return this;
    }

    public TtsRequest build() {
      return new TtsRequest(id, text, voice, sampling, Optional.ofNullable(deadline));
    }
  }
}
