package dev.parlance.tts.core.text;

import java.util.ArrayList;
import java.util.List;

/**
 * Packs sentences into chunks Parler handles well: short sentences are merged (very short prompts
 * make Parler hallucinate or run on), and a sentence longer than the limit is cut at a clause
 * boundary, else at a space (Parler was trained on clips of at most 30 s, and longer output gets
 * truncated).
 */
public final class TextChunker {
  /** Default chunk bound: roughly 15-20 s of speech at Parler's usual pace. */
  public static final int DEFAULT_MAX_CHARS = 250;

  private final int maxChars;

  /** A chunker with {@link #DEFAULT_MAX_CHARS}. */
  public TextChunker() {
    this(DEFAULT_MAX_CHARS);
  }

  /** A chunker whose chunks are at most {@code maxChars} long (at least 20). */
  public TextChunker(int maxChars) {
    if (maxChars < 20) {
      throw new IllegalArgumentException("maxChars must be >= 20, got " + maxChars);
    }
    this.maxChars = maxChars;
  }

  /** Chunks of the given sentences, in order; each non-empty and at most the bound. */
  public List<String> chunk(List<String> sentences) {
    List<String> chunks = new ArrayList<>();
    StringBuilder current = new StringBuilder();
    for (String sentence : sentences) {
      String s = sentence.strip();
      if (s.isEmpty()) {
        continue;
      }
      if (s.length() > maxChars) {
        flush(current, chunks);
        chunks.addAll(cut(s));
      } else if (current.isEmpty()) {
        current.append(s);
      } else if (current.length() + 1 + s.length() <= maxChars) {
        current.append(' ').append(s);
      } else {
        flush(current, chunks);
        current.append(s);
      }
    }
    flush(current, chunks);
    return chunks;
  }

  private List<String> cut(String s) {
    List<String> pieces = new ArrayList<>();
    String rest = s;
    while (rest.length() > maxChars) {
      int at = lastClauseBreak(rest);
      if (at <= 0) {
        at = rest.lastIndexOf(' ', maxChars);
      }
      if (at <= 0) {
        at = maxChars; // one unbroken word longer than the bound
      }
      pieces.add(rest.substring(0, at).strip());
      rest = rest.substring(at).strip();
    }
    if (!rest.isEmpty()) {
      pieces.add(rest);
    }
    return pieces;
  }

  /** Index just after the last ", ; :" before the bound, if it leaves a piece of useful length. */
  private int lastClauseBreak(String s) {
    for (int i = Math.min(maxChars, s.length()) - 1; i >= maxChars / 3; i--) {
      char c = s.charAt(i);
      if ((c == ',' || c == ';' || c == ':') && i + 1 < s.length() && s.charAt(i + 1) == ' ') {
        return i + 1;
      }
    }
    return -1;
  }

  private static void flush(StringBuilder current, List<String> chunks) {
    if (!current.isEmpty()) {
      chunks.add(current.toString());
      current.setLength(0);
    }
  }
}
