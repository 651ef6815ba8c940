package dev.parlance.tts.core.runtime;

import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsRequest;
import dev.parlance.tts.spi.Voice;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * What to synthesise at start-up before reporting warm: every phrase in every voice. This runs the
 * JIT and the native kernels through their real paths and fills the phrase and description caches
 * with what callers will ask for first.
 *
 * @param phrases texts to synthesise; empty disables pre-warming
 * @param voices preset names; empty means just the default voice
 */
public record Prewarm(List<String> phrases, List<String> voices) {

  /** No pre-warming. */
  public static final Prewarm NONE = new Prewarm(List.of(), List.of());

  public Prewarm {
    phrases = List.copyOf(Objects.requireNonNull(phrases, "phrases"));
    voices = List.copyOf(Objects.requireNonNull(voices, "voices"));
    for (String p : phrases) {
      if (p.isBlank() || p.length() > TtsRequest.MAX_TEXT_CHARS) {
        throw new IllegalArgumentException(
            "prewarm_phrases: each phrase must be non-blank and at most "
                + TtsRequest.MAX_TEXT_CHARS
                + " characters, got \""
                + p
                + "\"");
      }
    }
    for (String v : voices) {
      if (v.isBlank()) {
        throw new IllegalArgumentException("prewarm_voices: voice names must be non-blank");
      }
    }
  }

  /** Whether there is anything to do. */
  public boolean enabled() {
    return !phrases.isEmpty();
  }

  /**
   * The requests to run, phrase-major, with the given sampling (a preset's seed still applies when
   * {@code sampling} has none, so pre-warmed audio lands in the phrase cache under the same key a
   * caller's request will use).
   */
  public List<TtsRequest> requests(SamplingOptions sampling) {
    List<Voice> voiceList =
        voices.isEmpty()
            ? List.of(Voice.defaultVoice())
            : voices.stream().map(Voice::preset).toList();
    List<TtsRequest> out = new ArrayList<>(phrases.size() * voiceList.size());
    int n = 0;
    for (String phrase : phrases) {
      for (Voice voice : voiceList) {
        out.add(
            TtsRequest.builder()
                .id("prewarm-" + n++)
                .text(phrase)
                .voice(voice)
                .sampling(sampling)
                .build());
      }
    }
    return out;
  }
}
