package dev.parlance.tts.core.voice;

import java.util.List;

/**
 * The 34 speakers Parler-TTS mini/large v1 were trained with, as listed in the parler-tts README.
 * Naming one in a description ("Jon's voice is ...") selects that speaker; the README names Jon,
 * Lea, Gary, Jenna, Mike and Laura as the most consistent.
 */
public final class ParlerSpeakers {
  private ParlerSpeakers() {}

  /** The trained speaker names. */
  public static final List<String> NAMES =
      List.of(
          "Laura", "Gary", "Jon", "Lea", "Karen", "Rick", "Brenda", "David", "Eileen", "Jordan",
          "Mike", "Yann", "Joy", "James", "Eric", "Lauren", "Rose", "Will", "Jason", "Aaron",
          "Naomie", "Alisa", "Patrick", "Jerry", "Tina", "Jenna", "Bill", "Tom", "Carol", "Barbara",
          "Rebecca", "Anna", "Bruce", "Emily");

  /** Whether {@code name} is a trained speaker (exact spelling, as the model saw it). */
  public static boolean isKnown(String name) {
    return NAMES.contains(name);
  }
}
