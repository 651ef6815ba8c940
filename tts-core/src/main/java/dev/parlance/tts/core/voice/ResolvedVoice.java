package dev.parlance.tts.core.voice;

import dev.parlance.tts.spi.SamplingOptions;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * What a request's voice comes down to for the model.
 *
 * @param preset the preset's name, empty for a free-text description
 * @param description the speaker description to encode
 * @param sampling the request's sampling with the effective seed: the request's own, else the
 *     preset's
 */
public record ResolvedVoice(Optional<String> preset, String description, SamplingOptions sampling) {
  public ResolvedVoice {
    Objects.requireNonNull(preset, "preset");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(sampling, "sampling");
  }

  /** The effective seed. */
  public OptionalLong seed() {
    return sampling.seed();
  }
}
