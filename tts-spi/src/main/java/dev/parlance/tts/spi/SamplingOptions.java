package dev.parlance.tts.spi;

import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * How tokens are chosen during generation. The defaults are Parler-TTS's recipe: sampling at
 * temperature 1 with the implicit top-k of 50 and no top-p.
 *
 * @param greedy take the most likely token every step (temperature, top-k and top-p then unused)
 * @param temperature logit temperature, in (0, {@value #MAX_TEMPERATURE}]
 * @param topK keep the k most likely tokens; 0 disables the filter
 * @param topP nucleus filter in (0, 1]; 1 disables it
 * @param seed the random seed; the same seed gives the same audio; empty means a fresh random one
 * @param maxDuration upper bound on the audio produced; empty means the engine's limit
 */
public record SamplingOptions(
    boolean greedy,
    double temperature,
    int topK,
    double topP,
    OptionalLong seed,
    Optional<Duration> maxDuration) {

  /** Highest accepted temperature. */
  public static final double MAX_TEMPERATURE = 5.0;

  /** Highest accepted top-k. */
  public static final int MAX_TOP_K = 100_000;

  /** Longest audio a request may ask for. */
  public static final Duration MAX_DURATION = Duration.ofMinutes(10);

  /** Parler-TTS's defaults. */
  public static final SamplingOptions DEFAULT =
      new SamplingOptions(false, 1.0, 50, 1.0, OptionalLong.empty(), Optional.empty());

  public SamplingOptions {
    if (seed == null) {
      seed = OptionalLong.empty();
    }
    if (maxDuration == null) {
      maxDuration = Optional.empty();
    }
    if (!(temperature > 0 && temperature <= MAX_TEMPERATURE)) {
      throw new InvalidRequestException(
          "temperature",
          "temperature must be > 0 and <= " + MAX_TEMPERATURE + ", got " + temperature);
    }
    if (topK < 0 || topK > MAX_TOP_K) {
      throw new InvalidRequestException(
          "top_k", "top_k must be between 0 and " + MAX_TOP_K + ", got " + topK);
    }
    if (!(topP > 0 && topP <= 1)) {
      throw new InvalidRequestException("top_p", "top_p must be > 0 and <= 1, got " + topP);
    }
    if (maxDuration.isPresent()) {
      Duration d = maxDuration.get();
      if (d.isNegative() || d.isZero() || d.compareTo(MAX_DURATION) > 0) {
        throw new InvalidRequestException(
            "max_duration",
            "max_duration must be positive and at most "
                + MAX_DURATION.toSeconds()
                + " s, got "
                + d.toMillis() / 1000.0
                + " s");
      }
    }
  }

  /** A builder starting from {@link #DEFAULT}. */
  public static Builder builder() {
    return new Builder(DEFAULT);
  }

  /** A builder starting from these options. */
  public Builder toBuilder() {
    return new Builder(this);
  }

  /** These options with the given seed. */
  public SamplingOptions withSeed(long newSeed) {
    return new SamplingOptions(
        greedy, temperature, topK, topP, OptionalLong.of(newSeed), maxDuration);
  }

  /** Whether output is fully determined by the request (greedy, or sampled from a fixed seed). */
  public boolean deterministic() {
    return greedy || seed.isPresent();
  }

  /** Fluent construction; validation happens in {@link #build()}. */
  public static final class Builder {
    private boolean greedy;
    private double temperature;
    private int topK;
    private double topP;
    private OptionalLong seed;
    private Optional<Duration> maxDuration;

    private Builder(SamplingOptions from) {
      greedy = from.greedy;
      temperature = from.temperature;
      topK = from.topK;
      topP = from.topP;
      seed = from.seed;
      maxDuration = from.maxDuration;
    }

    public Builder greedy(boolean value) {
      greedy = value;
      return this;
    }

    public Builder temperature(double value) {
      temperature = value;
      return this;
    }

    public Builder topK(int value) {
      topK = value;
      return this;
    }

    public Builder topP(double value) {
      topP = value;
      return this;
    }

    public Builder seed(long value) {
      seed = OptionalLong.of(value);
      return this;
    }

    public Builder seed(OptionalLong value) {
      seed = value == null ? OptionalLong.empty() : value;
      return this;
    }

    public Builder maxDuration(Duration value) {
      maxDuration = Optional.ofNullable(value);
      return this;
    }

    public SamplingOptions build() {
      return new SamplingOptions(greedy, temperature, topK, topP, seed, maxDuration);
    }
  }
}
