package dev.parlance.tts.livekit.text;

import com.ibm.icu.text.BreakIterator;
import com.ibm.icu.util.ULocale;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Splits text that arrives piece by piece (LLM tokens) into sentences, releasing each one as soon
 * as it is certainly complete, so that its synthesis can start while the LLM still writes the next.
 *
 * <p>Boundaries come from ICU's sentence rules with the CLDR abbreviation suppressions ({@code
 * @ss=standard}: "Mr.", "e.g." and the like do not end a sentence). A boundary is trusted only once
 * {@code lookAheadChars} characters of the following sentence are visible: ICU decides "U.S. army"
 * (no break) versus "U.S. Then" (break) from what follows the period. Sentences shorter than {@code
 * minSentenceChars} are joined to the next, as Agents' basic tokenizer does, so that the engine is
 * not asked for one-word utterances. A run-on without any boundary is cut at the last clause mark or
 * space once it reaches {@code maxSentenceChars}, which bounds latency and request size.
 *
 * <p>This is for incremental input only; splitting a whole long text for the engine is {@code
 * dev.parlance.tts.core.text}'s job. Not thread-safe.
 */
public final class StreamingSentenceSplitter {
  /** Agents' basic tokenizer default. */
  public static final int DEFAULT_MIN_SENTENCE_CHARS = 20;

  public static final int DEFAULT_LOOK_AHEAD_CHARS = 2;
  public static final int DEFAULT_MAX_SENTENCE_CHARS = 400;

  private final BreakIterator sentences;
  private final int minSentenceChars;
  private final int lookAheadChars;
  private final int maxSentenceChars;
  private final StringBuilder buffer = new StringBuilder();

  /** English rules with the default limits. */
  public StreamingSentenceSplitter() {
    this(
        Locale.ENGLISH,
        DEFAULT_MIN_SENTENCE_CHARS,
        DEFAULT_LOOK_AHEAD_CHARS,
        DEFAULT_MAX_SENTENCE_CHARS);
  }

  /**
   * @param locale language whose sentence rules and abbreviations apply
   * @param minSentenceChars shorter sentences wait to be joined with the next one
   * @param lookAheadChars visible characters after a boundary before it is trusted, at least 1
   * @param maxSentenceChars a sentence is cut at about this length, at least 2 * minSentenceChars
   */
  public StreamingSentenceSplitter(
      Locale locale, int minSentenceChars, int lookAheadChars, int maxSentenceChars) {
    if (minSentenceChars < 0 || lookAheadChars < 1 || maxSentenceChars < 2 * minSentenceChars) {
      throw new IllegalArgumentException(
          "need minSentenceChars >= 0, lookAheadChars >= 1, maxSentenceChars >= 2 *"
              + " minSentenceChars");
    }
    ULocale withSuppressions = ULocale.forLocale(locale).setKeywordValue("ss", "standard");
    this.sentences = BreakIterator.getSentenceInstance(withSuppressions);
    this.minSentenceChars = minSentenceChars;
    this.lookAheadChars = lookAheadChars;
    this.maxSentenceChars = maxSentenceChars;
  }

  /** Adds a piece of text and returns the sentences it completed, trimmed, in order. */
  public List<String> push(String piece) {
    buffer.append(piece);
    List<String> out = new ArrayList<>();
    String text = buffer.toString();
    sentences.setText(text);
    int start = 0;
    for (int end = sentences.following(0);
        end != BreakIterator.DONE && end < text.length();
        end = sentences.next()) {
      if (visibleCharsFrom(text, end) < lookAheadChars) {
        break;
      }
      if (text.substring(start, end).trim().length() >= minSentenceChars) {
        out.add(text.substring(start, end).trim());
        start = end;
      }
    }
    buffer.delete(0, start);
    while (buffer.length() >= maxSentenceChars) {
      int cut = cutPoint(buffer);
      out.add(buffer.substring(0, cut).trim());
      buffer.delete(0, cut);
    }
    out.removeIf(String::isEmpty);
    return out;
  }

  /**
   * Returns whatever text is left as a last sentence (or nothing if blank) and empties the buffer.
   */
  public List<String> flush() {
    String rest = buffer.toString().trim();
    buffer.setLength(0);
    return rest.isEmpty() ? List.of() : List.of(rest);
  }

  /** Text waiting for its sentence to complete. */
  public String pending() {
    return buffer.toString();
  }

  private static int visibleCharsFrom(String text, int from) {
    int count = 0;
    for (int i = from; i < text.length(); i++) {
      if (!Character.isWhitespace(text.charAt(i))) {
        count++;
      }
    }
    return count;
  }

  /** After the last clause mark, else the last space, within the limit; else the limit itself. */
  private int cutPoint(CharSequence text) {
    int limit = Math.min(maxSentenceChars, text.length());
    int space = -1;
    for (int i = limit - 1; i >= minSentenceChars; i--) {
      char c = text.charAt(i);
      if ((c == ',' || c == ';' || c == ':' || c == '\u2014')
          && i + 1 < text.length()
          && Character.isWhitespace(text.charAt(i + 1))) {
        return i + 1;
      }
      if (space < 0 && Character.isWhitespace(c)) {
        space = i;
      }
    }
    return space > 0 ? space + 1 : limit;
  }
}
