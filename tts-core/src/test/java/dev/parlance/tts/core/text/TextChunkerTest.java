package dev.parlance.tts.core.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.spi.InvalidRequestException;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class TextChunkerTest {

  @Test
  void mergesShortSentencesUpToTheBound() {
    TextChunker chunker = new TextChunker(40);
    assertEquals(
        List.of("Hi. How are you? I am fine.", "This sentence is a bit longer."),
        chunker.chunk(
            List.of("Hi.", "How are you?", "I am fine.", "This sentence is a bit longer.")));
  }

  @Test
  void cutsLongSentencesAtClausesThenSpaces() {
    TextChunker chunker = new TextChunker(40);
    List<String> chunks =
        chunker.chunk(
            List.of(
                "The first clause is long enough, and the second clause goes on and on and on"
                    + " without any commas at all until the end."));
    assertEquals("The first clause is long enough,", chunks.get(0));
    for (String c : chunks) {
      assertTrue(c.length() <= 40, c);
      assertTrue(!c.startsWith(" ") && !c.endsWith(" "), c);
    }
    assertEquals(
        "The first clause is long enough, and the second clause goes on and on and on without any"
            + " commas at all until the end.",
        String.join(" ", chunks));
  }

  @Test
  void cutsAnUnbrokenWordHard() {
    List<String> chunks = new TextChunker(20).chunk(List.of("x".repeat(45)));
    assertEquals(List.of("x".repeat(20), "x".repeat(20), "x".repeat(5)), chunks);
  }

  @Test
  void plannerSplitsNormalisesAndChunksInOrder() {
    LongTextPlanner planner = new LongTextPlanner(4096);
    List<String> chunks =
        planner.plan("Dr. Smith paid $5. " + "This is sentence number two. ".repeat(12));
    assertTrue(
        chunks.get(0).startsWith("Dr. Smith paid five dollars. This is sentence"), chunks.get(0));
    assertTrue(chunks.size() >= 2, chunks.toString());
    for (String c : chunks) {
      assertTrue(c.length() <= TextChunker.DEFAULT_MAX_CHARS, c);
    }
  }

  @Test
  void plannerRejectsTooLongAndEmptyText() {
    LongTextPlanner planner = new LongTextPlanner(100);
    InvalidRequestException tooLong =
        assertThrows(InvalidRequestException.class, () -> planner.plan("a".repeat(101)));
    assertEquals("text", tooLong.field());
    assertTrue(tooLong.getMessage().contains("101 characters"), tooLong.getMessage());
    assertTrue(tooLong.getMessage().contains("at most 100"), tooLong.getMessage());
    assertEquals(
        "text", assertThrows(InvalidRequestException.class, () -> planner.plan("  ")).field());
  }

  @Test
  void audioCapGrowsWithTextAndStopsAtThirtySeconds() {
    assertEquals(Duration.ofMillis(2_150), LongTextPlanner.maxAudioFor("a"));
    assertEquals(Duration.ofSeconds(30), LongTextPlanner.maxAudioFor("a".repeat(1000)));
  }
}
