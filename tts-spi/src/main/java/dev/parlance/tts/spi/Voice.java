package dev.parlance.tts.spi;

/**
 * Which voice to speak with: a named preset the engine knows, or a free-text description of the
 * speaker (Parler-TTS's "description", e.g. "A calm female voice, close to the microphone").
 */
public sealed interface Voice permits Voice.Preset, Voice.Described {

  /** Longest accepted description, in characters. */
  int MAX_DESCRIPTION_CHARS = 2_000;

  /** Longest accepted preset name, in characters. */
  int MAX_NAME_CHARS = 128;

  /** The engine's default voice. */
  static Voice defaultVoice() {
    return new Preset(Preset.DEFAULT);
  }

  /** A named preset; the engine rejects names it does not know. */
  static Voice preset(String name) {
    return new Preset(name);
  }

  /** A free-text speaker description. */
  static Voice described(String description) {
    return new Described(description);
  }

  /**
   * A named preset.
   *
   * @param name the preset's name, non-blank
   */
  record Preset(String name) implements Voice {
    /** The name of the preset every engine has. */
    public static final String DEFAULT = "default";

    public Preset {
      if (name == null || name.isBlank()) {
        throw new InvalidRequestException("voice", "voice name must not be empty");
      }
      if (name.length() > MAX_NAME_CHARS) {
        throw new InvalidRequestException(
            "voice", "voice name is " + name.length() + " characters; at most " + MAX_NAME_CHARS);
      }
    }
  }

  /**
   * A free-text description of the speaker.
   *
   * @param description what the voice should sound like, non-blank
   */
  record Described(String description) implements Voice {
    public Described {
      if (description == null || description.isBlank()) {
        throw new InvalidRequestException("description", "description must not be empty");
      }
      if (description.length() > MAX_DESCRIPTION_CHARS) {
        throw new InvalidRequestException(
            "description",
            "description is "
                + description.length()
                + " characters; at most "
                + MAX_DESCRIPTION_CHARS);
      }
    }
  }
}
