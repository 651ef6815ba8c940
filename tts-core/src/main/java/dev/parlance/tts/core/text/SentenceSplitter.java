package dev.parlance.tts.core.text;

import com.ibm.icu.text.BreakIterator;
import com.ibm.icu.text.FilteredBreakIteratorBuilder;
import com.ibm.icu.util.ULocale;
import java.util.ArrayList;
import java.util.List;

/**
 * Splits English text into sentences with ICU's sentence rules, the CLDR abbreviation suppressions
 * and an abbreviation list of our own (plain ICU breaks after "Dr." and "p.m."; see ecosystem.md
 * §4.6). Thread-safe.
 */
public final class SentenceSplitter {

  /**
   * Abbreviations that do not end a sentence. "etc." is missing on purpose: it ends sentences as
   * often as not.
   */
  public static final List<String> ABBREVIATIONS =
      List.of(
          "Mr.", "Mrs.", "Ms.", "Dr.", "Prof.", "Sr.", "Jr.", "St.", "Mt.", "Ft.", "Gen.", "Gov.",
          "Sen.", "Rep.", "Capt.", "Lt.", "Col.", "Sgt.", "Rev.", "Hon.", "vs.", "e.g.", "i.e.",
          "cf.", "al.", "approx.", "Inc.", "Ltd.", "Co.", "Corp.", "Dept.", "No.", "Nos.", "Fig.",
          "Ave.", "Blvd.", "Rd.", "Jan.", "Feb.", "Mar.", "Apr.", "Jun.", "Jul.", "Aug.", "Sep.",
          "Sept.", "Oct.", "Nov.", "Dec.", "a.m.", "p.m.", "U.S.", "U.K.");

  private final BreakIterator prototype;

  /** A splitter with {@link #ABBREVIATIONS}. */
  public SentenceSplitter() {
    this(ABBREVIATIONS);
  }

  /** A splitter that never breaks after any of {@code abbreviations} (each with its period). */
  public SentenceSplitter(List<String> abbreviations) {
    FilteredBreakIteratorBuilder builder =
        FilteredBreakIteratorBuilder.getInstance(ULocale.ENGLISH);
    for (String a : abbreviations) {
      builder.suppressBreakAfter(a);
    }
    prototype = builder.wrapIteratorWithFilter(BreakIterator.getSentenceInstance(ULocale.ENGLISH));
  }

  /** The sentences of {@code text}, trimmed, without empty ones. */
  public List<String> split(String text) {
    BreakIterator it = prototype.clone(); // iterators are stateful
    it.setText(text);
    List<String> out = new ArrayList<>();
    int start = it.first();
    for (int end = it.next(); end != BreakIterator.DONE; start = end, end = it.next()) {
      String sentence = text.substring(start, end).strip();
      if (!sentence.isEmpty()) {
        out.add(sentence);
      }
    }
    return out;
  }
}
