package dev.parlance.tts.core.cache;

import dev.parlance.tts.spi.SamplingOptions;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.Objects;
import java.util.OptionalLong;

/**
 * Everything that determines a finished utterance: the normalised text, the speaker description the
 * voice resolved to, the sampling options with the effective seed, and the exact model. The voice's
 * name is deliberately absent: two presets with the same description and seed produce the same
 * audio.
 *
 * @param text the normalised text that was synthesised
 * @param description the speaker description the voice resolved to
 * @param greedy greedy decoding
 * @param temperature sampling temperature
 * @param topK top-k filter
 * @param topP nucleus filter
 * @param seed the effective seed (the request's, else the preset's); empty when unseeded
 * @param maxDurationMillis the request's duration cap in ms; 0 when none
 * @param modelId the model id, e.g. {@code parler-tts/parler-tts-mini-v1}
 * @param revision the resolved model revision (a commit hash when known)
 */
public record PhraseKey(
    String text,
    String description,
    boolean greedy,
    double temperature,
    int topK,
    double topP,
    OptionalLong seed,
    long maxDurationMillis,
    String modelId,
    String revision) {

  public PhraseKey {
    Objects.requireNonNull(text, "text");
    Objects.requireNonNull(description, "description");
    Objects.requireNonNull(seed, "seed");
    Objects.requireNonNull(modelId, "modelId");
    Objects.requireNonNull(revision, "revision");
  }

  /**
   * The key of {@code text} spoken with {@code description} under {@code sampling}, whose seed must
   * already be the effective one.
   */
  public static PhraseKey of(
      String text, String description, SamplingOptions sampling, String modelId, String revision) {
    return new PhraseKey(
        text,
        description,
        sampling.greedy(),
        sampling.temperature(),
        sampling.topK(),
        sampling.topP(),
        sampling.greedy() ? OptionalLong.empty() : sampling.seed(),
        sampling.maxDuration().map(d -> d.toMillis()).orElse(0L),
        modelId,
        revision);
  }

  /**
   * An unambiguous text form: every field, length-prefixed. Stored inside disk entries so a hash
   * collision can never serve the wrong audio.
   */
  public String canonical() {
    StringBuilder sb = new StringBuilder("phrase-key/1");
    field(sb, text);
    field(sb, description);
    field(sb, Boolean.toString(greedy));
    field(sb, Double.toString(temperature));
    field(sb, Integer.toString(topK));
    field(sb, Double.toString(topP));
    field(sb, seed.isPresent() ? Long.toString(seed.getAsLong()) : "-");
    field(sb, Long.toString(maxDurationMillis));
    field(sb, modelId);
    field(sb, revision);
    return sb.toString();
  }

  /** SHA-256 of {@link #canonical()}, in hex: the disk entry's file name. */
  public String digest() {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(sha.digest(canonical().getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  private static void field(StringBuilder sb, String value) {
    sb.append('\n').append(value.length()).append(':').append(value);
  }
}
