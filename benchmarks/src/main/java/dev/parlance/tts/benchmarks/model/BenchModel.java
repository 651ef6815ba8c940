package dev.parlance.tts.benchmarks.model;

import dev.parlance.tts.benchmarks.checkpoint.BenchCheckpoints;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.model.ParlerConfig;
import java.nio.file.Path;

/**
 * The random checkpoint the model benchmarks load (generated on first use): mini-v1, or the shape
 * {@code --shape} of BenchMain names.
 */
final class BenchModel {

  /** Description length of the benchmarks (tokens). */
  static final int DESCRIPTION_TOKENS = 40;

  private BenchModel() {}

  static Path dir() {
    return BenchCheckpoints.get(BenchCheckpoints.shape());
  }

  static ParlerConfig config() {
    return ParlerConfig.load(dir());
  }

  static TensorSource weights() {
    return TensorSource.open(dir());
  }

  /**
   * A 40-token description: arbitrary ids below the tiny tokenizer's vocabulary, then {@code </s>}.
   */
  static long[] descriptionIds() {
    long[] ids = new long[DESCRIPTION_TOKENS];
    for (int i = 0; i < ids.length - 1; i++) {
      ids[i] = 3 + (i * 37) % 120;
    }
    ids[ids.length - 1] = 1;
    return ids;
  }
}
