package dev.parlance.tts.core.generation;

/**
 * How one request chooses tokens and how long it may run.
 *
 * @param greedy argmax instead of sampling
 * @param temperature logit temperature (sampling only)
 * @param topK keep the k best logits; 0 disables (sampling only)
 * @param topP nucleus mass in (0, 1]; 1 disables (sampling only)
 * @param seed seeds the Java random generator, so equal seeds give equal tokens
 * @param maxLength decoder time columns, BOS column included
 * @param minNewTokens steps during which EOS is banned
 */
public record SamplingSettings(
    boolean greedy,
    double temperature,
    int topK,
    double topP,
    long seed,
    int maxLength,
    int minNewTokens) {

  public SamplingSettings {
    if (maxLength < 2) {
      throw new IllegalArgumentException("maxLength must be >= 2, got " + maxLength);
    }
    if (!(temperature > 0)) {
      throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
    }
    if (topK < 0) {
      throw new IllegalArgumentException("topK must be >= 0, got " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new IllegalArgumentException("topP must be in (0, 1], got " + topP);
    }
  }

  /** The checkpoint's defaults with the given seed. */
  public static SamplingSettings from(GenerationConfig g, long seed) {
    return new SamplingSettings(
        !g.doSample(), g.temperature(), g.topK(), g.topP(), seed, g.maxLength(), g.minNewTokens());
  }

  /** These settings, greedy, with another max length (goldens, tests). */
  public SamplingSettings greedyWithMaxLength(int newMaxLength) {
    return new SamplingSettings(true, temperature, topK, topP, seed, newMaxLength, minNewTokens);
  }
}
