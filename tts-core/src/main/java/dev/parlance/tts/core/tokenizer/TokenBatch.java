package dev.parlance.tts.core.tokenizer;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * A padded batch of token ids and its attention mask, both {@code (batch, length)}; mask 1 marks a
 * real token, 0 padding.
 *
 * @param ids token ids, every row the same length
 * @param mask 1 for a token, 0 for padding
 */
public record TokenBatch(long[][] ids, long[][] mask) {

  /** Number of rows. */
  public int size() {
    return ids.length;
  }

  /** Padded length of every row. */
  public int length() {
    return ids.length == 0 ? 0 : ids[0].length;
  }

  /** The ids as an int64 {@code (batch, length)} array owned by {@code manager}. */
  public NDArray idsArray(NDManager manager) {
    return manager.create(ids);
  }

  /** The mask as an int64 {@code (batch, length)} array owned by {@code manager}. */
  public NDArray maskArray(NDManager manager) {
    return manager.create(mask);
  }
}
