package dev.parlance.tts.spi;

import java.util.Objects;
import java.util.OptionalLong;

/**
 * A named voice an engine offers.
 *
 * @param name the name requests use
 * @param description the speaker description the voice stands for
 * @param seed the sampling seed that keeps the voice stable, if the preset fixes one
 */
public record VoiceInfo(String name, String description, OptionalLong seed) {
  public VoiceInfo {
    Objects.requireNonNull(name, "name");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(seed, "seed");
  }
}
