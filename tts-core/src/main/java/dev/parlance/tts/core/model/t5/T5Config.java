package dev.parlance.tts.core.model.t5;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.Set;

/**
 * What the T5 encoder needs from a Parler {@code config.json}'s {@code "text_encoder"} (a
 * transformers {@code T5Config}). Generic generation fields there are ignored.
 *
 * @param vocabSize rows of {@code shared.weight}
 * @param dModel hidden width D_t
 * @param dKv width of one attention head
 * @param dFf feed-forward width
 * @param numLayers encoder blocks
 * @param numHeads attention heads; {@code numHeads * dKv} may differ from {@code dModel}
 * @param relativeAttentionNumBuckets relative-position buckets (both directions together)
 * @param relativeAttentionMaxDistance distance at which buckets stop growing
 * @param layerNormEpsilon RMSNorm epsilon
 * @param denseActFn feed-forward activation: {@code gelu_new} (tanh GELU), {@code gelu} (erf),
 *     {@code relu} or {@code silu}
 * @param gatedAct gated feed-forward {@code wo(act(wi_0 x) * wi_1 x)} instead of {@code wo(act(wi
 *     x))}
 */
public record T5Config(
    int vocabSize,
    int dModel,
    int dKv,
    int dFf,
    int numLayers,
    int numHeads,
    int relativeAttentionNumBuckets,
    int relativeAttentionMaxDistance,
    double layerNormEpsilon,
    String denseActFn,
    boolean gatedAct) {

  /** Activations the feed-forward implements (transformers' ACT2FN names). */
  public static final Set<String> ACTIVATIONS =
      Set.of("gelu_new", "gelu_pytorch_tanh", "gelu", "relu", "silu", "swish");

  private static final String FIELD = "text_encoder.";

  public T5Config {
    positive("vocab_size", vocabSize);
    positive("d_model", dModel);
    positive("d_kv", dKv);
    positive("d_ff", dFf);
    positive("num_layers", numLayers);
    positive("num_heads", numHeads);
    if (relativeAttentionNumBuckets < 4) {
      throw invalid(
          "relative_attention_num_buckets",
          "must be at least 4, got " + relativeAttentionNumBuckets);
    }
    if (relativeAttentionMaxDistance <= relativeAttentionNumBuckets / 4) {
      throw invalid(
          "relative_attention_max_distance",
          "must exceed num_buckets/4, got " + relativeAttentionMaxDistance);
    }
    if (!(layerNormEpsilon > 0)) {
      throw invalid("layer_norm_epsilon", "must be positive, got " + layerNormEpsilon);
    }
    if (!ACTIVATIONS.contains(denseActFn)) {
      throw invalid("dense_act_fn", "unsupported activation '" + denseActFn + "'");
    }
  }

  /** Width of all heads together, {@code numHeads * dKv}. */
  public int innerDim() {
    return numHeads * dKv;
  }

  /**
   * Reads the {@code "text_encoder"} object of a Parler {@code config.json}. The FFN type follows
   * transformers: {@code feed_forward_proj} {@code "gated-gelu"} means gated {@code gelu_new},
   * {@code "relu"} plain ReLU; saved {@code dense_act_fn}/{@code is_gated_act} win when present.
   * Bucket count, max distance and epsilon default to transformers' defaults (32, 128, 1e-6).
   *
   * @throws IllegalArgumentException a field is missing or invalid; the message names it
   */
  public static T5Config fromJson(JsonObject textEncoder) {
    String ffn = string(textEncoder, "feed_forward_proj", "relu");
    String[] parts = ffn.split("-");
    boolean gatedFromProj = parts.length == 2 && parts[0].equals("gated");
    if (parts.length > 2 || (parts.length == 2 && !gatedFromProj)) {
      throw invalid("feed_forward_proj", "expected '{ACT}' or 'gated-{ACT}', got '" + ffn + "'");
    }
    String act = ffn.equals("gated-gelu") ? "gelu_new" : parts[parts.length - 1];
    return new T5Config(
        integer(textEncoder, "vocab_size", null),
        integer(textEncoder, "d_model", null),
        integer(textEncoder, "d_kv", null),
        integer(textEncoder, "d_ff", null),
        integer(textEncoder, "num_layers", null),
        integer(textEncoder, "num_heads", null),
        integer(textEncoder, "relative_attention_num_buckets", 32),
        integer(textEncoder, "relative_attention_max_distance", 128),
        number(textEncoder, "layer_norm_epsilon", 1e-6),
        string(textEncoder, "dense_act_fn", act),
        bool(textEncoder, "is_gated_act", gatedFromProj));
  }

  private static JsonElement field(JsonObject o, String name) {
    JsonElement e = o.get(name);
    return e == null || e.isJsonNull() ? null : e;
  }

  private static int integer(JsonObject o, String name, Integer fallback) {
    JsonElement e = field(o, name);
    if (e == null) {
      if (fallback == null) {
        throw invalid(name, "is missing");
      }
      return fallback;
    }
    try {
      return e.getAsInt();
    } catch (RuntimeException ex) {
      throw invalid(name, "expected an integer, got " + e);
    }
  }

  private static double number(JsonObject o, String name, double fallback) {
    JsonElement e = field(o, name);
    try {
      return e == null ? fallback : e.getAsDouble();
    } catch (RuntimeException ex) {
      throw invalid(name, "expected a number, got " + e);
    }
  }

  private static String string(JsonObject o, String name, String fallback) {
    JsonElement e = field(o, name);
    if (e == null) {
      return fallback;
    }
    if (!e.isJsonPrimitive()) {
      throw invalid(name, "expected a string, got " + e);
    }
    return e.getAsString();
  }

  private static boolean bool(JsonObject o, String name, boolean fallback) {
    JsonElement e = field(o, name);
    if (e == null) {
      return fallback;
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
      throw invalid(name, "expected true or false, got " + e);
    }
    return e.getAsBoolean();
  }

  private static void positive(String name, int value) {
    if (value <= 0) {
      throw invalid(name, "must be positive, got " + value);
    }
  }

  private static IllegalArgumentException invalid(String name, String message) {
    return new IllegalArgumentException(FIELD + name + " " + message);
  }
}
