package dev.parlance.tts.core.engine;

import dev.parlance.tts.core.generation.SamplingSettings;
import dev.parlance.tts.core.tokenizer.TokenBatch;
import java.util.List;

/**
 * One request as the decoder sees it: a description and the text's chunks, each with its tokenized
 * prompt and its generation settings (the same seed for every chunk, so a long text keeps one
 * voice).
 *
 * @param description the speaker description to encode (or find in the description cache)
 * @param chunks what to speak, in order
 * @param stitch trim silence at the chunk seams and join with a pause (long texts)
 */
record SynthesisJob(String description, List<Chunk> chunks, boolean stitch) {

  SynthesisJob {
    chunks = List.copyOf(chunks);
    if (chunks.isEmpty()) {
      throw new IllegalArgumentException("a job needs at least one chunk");
    }
  }

  /**
   * @param prompt the chunk's prompt tokens, batch 1
   * @param settings how to choose tokens and for how long
   */
  record Chunk(TokenBatch prompt, SamplingSettings settings) {}
}
