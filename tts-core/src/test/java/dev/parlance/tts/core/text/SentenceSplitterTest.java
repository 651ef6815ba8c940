package dev.parlance.tts.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

class SentenceSplitterTest {
  private final SentenceSplitter splitter = new SentenceSplitter();

  @Test
  void abbreviationsDoNotEndSentences() {
    // The case from ecosystem.md §4.6 that plain ICU and the JDK get wrong.
    assertEquals(
        List.of(
            "Mr. Smith met Dr. Jones at 3 p.m. in Washington.",
            "It cost $3.50, e.g. cheap!",
            "Really?",
            "Yes."),
        splitter.split(
            "Mr. Smith met Dr. Jones at 3 p.m. in Washington. It cost $3.50, e.g. cheap! Really?"
                + " Yes."));
  }

  @Test
  void withoutTheListICUBreaksAfterDoctor() {
    List<String> plain = new SentenceSplitter(List.of()).split("I saw Dr. Jones today. Bye.");
    assertEquals(3, plain.size(), plain.toString());
  }

  @Test
  void dropsBlankSentencesAndTrims() {
    assertEquals(List.of("One.", "Two?"), splitter.split("  One.   \n\n Two?  "));
    assertEquals(List.of(), splitter.split("   "));
  }
}
