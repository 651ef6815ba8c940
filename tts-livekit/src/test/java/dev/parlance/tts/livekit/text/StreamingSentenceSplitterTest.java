package dev.parlance.tts.livekit.text;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.junit.jupiter.api.Test;

class StreamingSentenceSplitterTest {

  /** Feeds text in LLM-like tokens: words with their leading space, punctuation separately. */
  private static List<String> tokens(String text) {
    List<String> out = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (char c : text.toCharArray()) {
      if (c == ' ' || c == '.' || c == ',' || c == '!' || c == '?') {
        if (current.length() > 0) {
          out.add(current.toString());
          current.setLength(0);
        }
      }
      current.append(c);
      if (c == '.' || c == ',' || c == '!' || c == '?') {
        out.add(current.toString());
        current.setLength(0);
      }
    }
    if (current.length() > 0) {
      out.add(current.toString());
    }
    return out;
  }

  @Test
  void firstSentenceIsReleasedAsSoonAsTheNextOneVisiblyStarts() {
    StreamingSentenceSplitter splitter = new StreamingSentenceSplitter();
    String text = "The weather today is sunny and warm. Tomorrow it will rain in the afternoon.";
    List<String> pieces = tokens(text);
    int releasedAt = -1;
    List<String> sentences = new ArrayList<>();
    for (int i = 0; i < pieces.size(); i++) {
      List<String> out = splitter.push(pieces.get(i));
      if (!out.isEmpty() && releasedAt < 0) {
        releasedAt = i;
      }
      sentences.addAll(out);
    }
    // released with the token " Tomorrow", the first one after the period: no later
    assertEquals(pieces.indexOf(" Tomorrow"), releasedAt);
    assertEquals(List.of("The weather today is sunny and warm."), sentences);
    sentences.addAll(splitter.flush());
    assertEquals(
        List.of("The weather today is sunny and warm.", "Tomorrow it will rain in the afternoon."),
        sentences);
  }

  @Test
  void abbreviationsAndDecimalsDoNotEndSentences() {
    StreamingSentenceSplitter splitter = new StreamingSentenceSplitter();
    List<String> out = new ArrayList<>();
    for (String piece :
        tokens("Mr. Smith paid 3.5 dollars for it, e.g. a bargain. Then he left the shop.")) {
      out.addAll(splitter.push(piece));
    }
    out.addAll(splitter.flush());
    assertEquals(
        List.of("Mr. Smith paid 3.5 dollars for it, e.g. a bargain.", "Then he left the shop."),
        out);
  }

  @Test
  void shortSentencesAreJoinedToTheNext() {
    StreamingSentenceSplitter splitter = new StreamingSentenceSplitter();
    List<String> out = new ArrayList<>(splitter.push("Hi! Sure. I can help you with that today. "));
    out.addAll(splitter.push("What do you need?"));
    out.addAll(splitter.flush());
    assertEquals(List.of("Hi! Sure. I can help you with that today.", "What do you need?"), out);
  }

  @Test
  void runOnTextIsCutAtAClauseMarkNearTheLimit() {
    StreamingSentenceSplitter splitter = new StreamingSentenceSplitter(Locale.ENGLISH, 20, 2, 60);
    String text =
        "one two three four five six seven eight, nine ten eleven twelve thirteen fourteen"
            + " fifteen sixteen";
    List<String> out = new ArrayList<>();
    for (String piece : tokens(text)) {
      out.addAll(splitter.push(piece));
    }
    assertEquals(List.of("one two three four five six seven eight,"), out);
    for (String s : out) {
      assertTrue(s.length() <= 60);
    }
    assertEquals(
        List.of("nine ten eleven twelve thirteen fourteen fifteen sixteen"), splitter.flush());
  }

  @Test
  void flushOfNothingGivesNothing() {
    StreamingSentenceSplitter splitter = new StreamingSentenceSplitter();
    splitter.push("   ");
    assertEquals(List.of(), splitter.flush());
    assertEquals("", splitter.pending());
  }
}
