package dev.parlance.tts.http.voice;

import dev.parlance.tts.spi.InvalidRequestException;

/**
 * OpenAI's {@code speed} as Parler understands pace: Parler-TTS was trained on descriptions with
 * speaking-rate words ("slightly slowly", "fast"), and has no exact time-stretch.
 */
final class PacePhrase {
  static final double MIN_SPEED = 0.25;
  static final double MAX_SPEED = 4.0;

  private PacePhrase() {}

  /** A sentence to append to a description, or "" for normal speed. */
  static String forSpeed(double speed) {
    if (!(speed >= MIN_SPEED && speed <= MAX_SPEED)) {
      throw new InvalidRequestException(
          "speed", "speed must be between " + MIN_SPEED + " and " + MAX_SPEED + ", got " + speed);
    }
    String words;
    if (speed < 0.6) {
      words = "very slowly";
    } else if (speed < 0.85) {
      words = "slowly";
    } else if (speed < 0.95) {
      words = "slightly slowly";
    } else if (speed <= 1.05) {
      return "";
    } else if (speed <= 1.25) {
      words = "slightly fast";
    } else if (speed <= 1.75) {
      words = "fast";
    } else {
      words = "very fast";
    }
    return " The speaker talks " + words + ".";
  }
}
