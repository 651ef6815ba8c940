package dev.parlance.tts.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TextNormalizerTest {
  private final TextNormalizer normalizer = new TextNormalizer();

  @ParameterizedTest
  @CsvSource(
      delimiter = '|',
      value = {
        "It costs $3.50.|It costs three dollars and fifty cents.",
        "Just $1.|Just one dollar.",
        "Only $0.99 today|Only ninety-nine cents today",
        "A $2 million deal|A two million dollars deal",
        "€5 and £3.20|five euros and three pounds and twenty pence",
        "Up 50% or 3.5 %|Up fifty percent or three point five percent",
        "The 21st and 2nd|The twenty-first and second",
        "We meet at 3:30 or 9:05 p.m.|We meet at three thirty or nine oh five p.m.",
        "At 10:00 sharp|At ten o'clock sharp",
        "At 7:00 AM|At seven a.m.",
        "In 1984 and 1905 and 1900|In nineteen eighty-four and nineteen oh five and nineteen hundred",
        "The 1990s|The nineteen nineties",
        "1,234,567 people|one million two hundred thirty-four thousand five hundred sixty-seven people",
        "Pi is 3.14159|Pi is three point one four one five nine",
        "It is -5 outside|It is minus five outside",
        "Tom & Jerry|Tom and Jerry",
        "2 + 2 = 4|two plus two equals four",
        "Room #4|Room number four",
        "It is 20°C|It is twenty degrees Celsius",
        "Call 007|Call zero zero seven",
        "In 2024 we grew|In two thousand twenty-four we grew",
        "“Smart” quotes…|\"Smart\" quotes...",
        "Version mp3 stays|Version mp3 stays",
      })
  void readsTheObviousCasesAloud(String input, String expected) {
    assertEquals(expected, normalizer.normalize(input));
  }

  @Test
  void plainTextPassesThrough() {
    String text = "Hello there, how are you doing today? I'm fine.";
    assertEquals(text, normalizer.normalize(text));
    assertEquals("a b", normalizer.normalize("  a \n\t b "));
  }

  @Test
  void numberWords() {
    assertEquals("zero", EnglishNumbers.cardinal(0));
    assertEquals("one hundred", EnglishNumbers.cardinal(100));
    assertEquals("one thousand one", EnglishNumbers.cardinal(1001));
    assertEquals(
        "nine hundred ninety-nine trillion nine hundred ninety-nine billion nine hundred"
            + " ninety-nine million nine hundred ninety-nine thousand nine hundred ninety-nine",
        EnglishNumbers.cardinal(999_999_999_999_999L));
    assertEquals(
        "one zero zero zero zero zero zero zero zero zero zero zero zero zero zero zero",
        EnglishNumbers.cardinal(1_000_000_000_000_000L));
    assertEquals("twelfth", EnglishNumbers.ordinal(12));
    assertEquals("one hundred first", EnglishNumbers.ordinal(101));
    assertEquals("fortieth", EnglishNumbers.ordinal(40));
    assertEquals("ninety-ninth", EnglishNumbers.ordinal(99));
  }
}
