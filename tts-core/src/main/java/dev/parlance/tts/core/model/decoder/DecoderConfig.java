package dev.parlance.tts.core.model.decoder;

import static dev.parlance.tts.core.model.JsonFields.optBool;
import static dev.parlance.tts.core.model.JsonFields.optDouble;
import static dev.parlance.tts.core.model.JsonFields.optInt;
import static dev.parlance.tts.core.model.JsonFields.optString;
import static dev.parlance.tts.core.model.JsonFields.requireInt;

import com.google.gson.JsonObject;
import dev.parlance.tts.core.checkpoint.CheckpointException;
import java.util.Set;

/**
 * The Parler decoder's shape, from {@code config.json}'s {@code "decoder"} object. Generic
 * generation fields in that object ({@code max_length}, {@code do_sample}, ...) are ignored: they
 * come from {@code generation_config.json}.
 *
 * @param hiddenSize H
 * @param numLayers L
 * @param numHeads query heads n_h
 * @param numKeyValueHeads self-attention key/value heads (GQA/MQA when below n_h)
 * @param numCrossKeyValueHeads cross-attention key/value heads
 * @param ffnDim FFN width F
 * @param activation FFN activation name ({@code gelu} = exact erf form)
 * @param vocabSize V, the LM-head width; embedding tables have V+1 rows
 * @param numCodebooks K
 * @param maxPositions rows of the position table
 * @param rope rotary positions instead of the sinusoidal table
 * @param ropeTheta RoPE base
 * @param fusedLmHeads the checkpoint stores one (K*V, H) head instead of K (V, H) heads
 * @param eosTokenId EOS = PAD id (= codebook size)
 * @param bosTokenId BOS = decoder start id
 */
public record DecoderConfig(
    int hiddenSize,
    int numLayers,
    int numHeads,
    int numKeyValueHeads,
    int numCrossKeyValueHeads,
    int ffnDim,
    String activation,
    int vocabSize,
    int numCodebooks,
    int maxPositions,
    boolean rope,
    double ropeTheta,
    boolean fusedLmHeads,
    int eosTokenId,
    int bosTokenId) {

  /** FFN activations this port implements. */
  public static final Set<String> ACTIVATIONS = Set.of("gelu", "gelu_new", "relu", "silu");

  /** LayerNorm epsilon (PyTorch's default; the decoder does not configure it). */
  public static final float LAYER_NORM_EPS = 1e-5f;

  public DecoderConfig {
    String where = "config.json decoder";
    if (hiddenSize <= 0 || numLayers <= 0 || numHeads <= 0 || ffnDim <= 0) {
      throw new CheckpointException(where + ": sizes must be positive");
    }
    if (hiddenSize % numHeads != 0) {
      throw new CheckpointException(
          where
              + ".hidden_size "
              + hiddenSize
              + " is not divisible by num_attention_heads "
              + numHeads);
    }
    requireDivides(where + ".num_key_value_heads", numKeyValueHeads, numHeads);
    requireDivides(where + ".num_cross_attention_key_value_heads", numCrossKeyValueHeads, numHeads);
    if (!ACTIVATIONS.contains(activation)) {
      throw new CheckpointException(
          where
              + ".activation_function '"
              + activation
              + "' is not supported; use one of "
              + ACTIVATIONS);
    }
    if (rope && (hiddenSize / numHeads) % 2 != 0) {
      throw new CheckpointException(where + ": rope_embeddings needs an even head dimension");
    }
    if (numCodebooks <= 0 || vocabSize <= eosTokenId || bosTokenId > vocabSize) {
      throw new CheckpointException(
          where + ": vocab_size " + vocabSize + " must exceed eos " + eosTokenId + " and hold bos");
    }
  }

  private static void requireDivides(String field, int kv, int heads) {
    if (kv <= 0 || heads % kv != 0) {
      throw new CheckpointException(
          field + " = " + kv + " must divide num_attention_heads = " + heads);
    }
  }

  /** Reads the {@code "decoder"} object of config.json. */
  public static DecoderConfig fromJson(JsonObject d) {
    String w = "config.json decoder";
    int heads = requireInt(d, w, "num_attention_heads");
    int kv = optInt(d, w, "num_key_value_heads", heads);
    int eos = requireInt(d, w, "eos_token_id");
    return new DecoderConfig(
        requireInt(d, w, "hidden_size"),
        requireInt(d, w, "num_hidden_layers"),
        heads,
        kv,
        optInt(d, w, "num_cross_attention_key_value_heads", kv),
        requireInt(d, w, "ffn_dim"),
        optString(d, "activation_function", "gelu"),
        requireInt(d, w, "vocab_size"),
        requireInt(d, w, "num_codebooks"),
        requireInt(d, w, "max_position_embeddings"),
        optBool(d, w, "rope_embeddings", false),
        optDouble(d, w, "rope_theta", 10_000.0),
        optBool(d, w, "use_fused_lm_heads", false),
        eos,
        optInt(d, w, "bos_token_id", eos + 1));
  }

  /** d_h = H / n_h. */
  public int headDim() {
    return hiddenSize / numHeads;
  }

  /** Rows of each codebook's embedding table (V + 1). */
  public int embeddingRows() {
    return vocabSize + 1;
  }
}
