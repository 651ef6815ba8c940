package dev.parlance.tts.core.text;

import dev.parlance.tts.spi.InvalidRequestException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a request's text into the chunks to synthesise, in order: length check, sentence split,
 * normalisation ({@link TextNormalizer}, English only), then packing ({@link TextChunker}). The
 * engine speaks every chunk with the same voice and seed and joins the audio with {@link
 * SpeechJoiner}. Thread-safe.
 */
public final class LongTextPlanner {
  /** Parler was trained on clips of at most 30 s. */
  public static final Duration MAX_CHUNK_AUDIO = Duration.ofSeconds(30);

  private final int maxTextChars;
  private final SentenceSplitter splitter;
  private final TextNormalizer normalizer;
  private final TextChunker chunker;

  /** A planner accepting at most {@code maxTextChars} characters, with the default parts. */
  public LongTextPlanner(int maxTextChars) {
    this(maxTextChars, new SentenceSplitter(), new TextNormalizer(), new TextChunker());
  }

  public LongTextPlanner(
      int maxTextChars, SentenceSplitter splitter, TextNormalizer normalizer, TextChunker chunker) {
    if (maxTextChars < 1) {
      throw new IllegalArgumentException("maxTextChars must be >= 1, got " + maxTextChars);
    }
    this.maxTextChars = maxTextChars;
    this.splitter = splitter;
    this.normalizer = normalizer;
    this.chunker = chunker;
  }

  /**
   * The chunks to synthesise.
   *
   * @throws InvalidRequestException ({@code text}) the text is too long, or has nothing to say
   */
  public List<String> plan(String text) {
    if (text.length() > maxTextChars) {
      throw new InvalidRequestException(
          "text",
          "text is " + text.length() + " characters; this engine accepts at most " + maxTextChars);
    }
    List<String> sentences = new ArrayList<>();
    for (String sentence : splitter.split(text)) {
      String normal = normalizer.normalize(sentence);
      if (!normal.isEmpty()) {
        sentences.add(normal);
      }
    }
    List<String> chunks = chunker.chunk(sentences);
    if (chunks.isEmpty()) {
      throw new InvalidRequestException("text", "text has nothing to say");
    }
    return chunks;
  }

  /**
   * A generous cap on the audio of one chunk, so a prompt on which Parler fails to stop cannot run
   * on to the model's limit: 0.15 s per character plus 2 s, at most {@link #MAX_CHUNK_AUDIO}. (At
   * ~15 characters per second of usual speech this is about twice the expected length.)
   */
  public static Duration maxAudioFor(String chunk) {
    long millis = 2_000 + 150L * chunk.length();
    return Duration.ofMillis(Math.min(millis, MAX_CHUNK_AUDIO.toMillis()));
  }
}
