package dev.parlance.tts.core.voice;

import dev.parlance.tts.spi.Voice;
import dev.parlance.tts.spi.VoiceInfo;
import java.util.Locale;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * A named voice: a Parler speaker description, optionally pinned by a sampling seed so the voice
 * does not drift between requests or between the chunks of a long text, and optionally one of the
 * speakers Parler was trained on (named in the description, which is how Parler selects them).
 *
 * @param name the name requests use; matched case-insensitively
 * @param description the speaker description given to the model
 * @param seed the sampling seed used when a request brings none
 * @param speaker the trained speaker the description names, if any
 */
public record VoicePreset(
    String name, String description, OptionalLong seed, Optional<String> speaker) {

  public VoicePreset {
    if (name == null || name.isBlank() || name.length() > Voice.MAX_NAME_CHARS) {
      throw new IllegalArgumentException(
          "voice name must be non-blank and at most " + Voice.MAX_NAME_CHARS + " characters");
    }
    if (description == null
        || description.isBlank()
        || description.length() > Voice.MAX_DESCRIPTION_CHARS) {
      throw new IllegalArgumentException(
          "voice \""
              + name
              + "\": description must be non-blank and at most "
              + Voice.MAX_DESCRIPTION_CHARS
              + " characters");
    }
    seed = seed == null ? OptionalLong.empty() : seed;
    speaker = speaker == null ? Optional.empty() : speaker;
    if (speaker.isPresent()) {
      String s = speaker.get();
      if (!ParlerSpeakers.isKnown(s)) {
        throw new IllegalArgumentException(
            "voice \""
                + name
                + "\": speaker \""
                + s
                + "\" is not one Parler was trained on; known: "
                + String.join(", ", ParlerSpeakers.NAMES));
      }
      if (!description.contains(s)) {
        throw new IllegalArgumentException(
            "voice \""
                + name
                + "\": the description must name the speaker \""
                + s
                + "\" (Parler selects trained speakers by name)");
      }
    }
  }

  /** The lookup form of {@link #name()}. */
  public String key() {
    return name.toLowerCase(Locale.ROOT);
  }

  /** This preset under another name (the {@code default} alias). */
  public VoicePreset renamed(String newName) {
    return new VoicePreset(newName, description, seed, speaker);
  }

  /** The SPI's view of this preset. */
  public VoiceInfo info() {
    return new VoiceInfo(name, description, seed);
  }
}
