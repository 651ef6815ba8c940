package dev.parlance.tts.core.generation;

import static dev.parlance.tts.core.model.JsonFields.optBool;
import static dev.parlance.tts.core.model.JsonFields.optDouble;
import static dev.parlance.tts.core.model.JsonFields.optInt;

import com.google.gson.JsonObject;
import dev.parlance.tts.core.checkpoint.CheckpointException;

/**
 * The checkpoint's {@code generation_config.json}, with transformers-4.46 defaults for absent
 * fields (notably {@code top_k} 50, which is active in the reference sampling path although no file
 * names it).
 *
 * @param decoderStartTokenId BOS fed as the first decoder column
 * @param eosTokenId EOS id (= PAD = codebook size)
 * @param padTokenId PAD id fed to finished rows
 * @param doSample sample (true) or take the argmax
 * @param maxLength decoder time columns including the BOS column
 * @param minNewTokens steps during which EOS is banned
 * @param temperature logit temperature
 * @param topK top-k filter; 0 disables it
 * @param topP nucleus filter; 1 disables it
 */
public record GenerationConfig(
    int decoderStartTokenId,
    int eosTokenId,
    int padTokenId,
    boolean doSample,
    int maxLength,
    int minNewTokens,
    double temperature,
    int topK,
    double topP) {

  public GenerationConfig {
    if (maxLength < 2) {
      throw new CheckpointException("generation_config.json max_length must be >= 2");
    }
    if (!(temperature > 0)) {
      throw new CheckpointException("generation_config.json temperature must be > 0");
    }
  }

  /**
   * Reads generation_config.json; {@code fallback} supplies the special ids when the file lacks
   * them (they are then taken from config.json).
   */
  public static GenerationConfig fromJson(JsonObject g, int startFallback, int eosFallback) {
    String w = "generation_config.json";
    int eos = optInt(g, w, "eos_token_id", eosFallback);
    int maxLength = optInt(g, w, "max_length", 20);
    if (g.has("max_new_tokens") && !g.get("max_new_tokens").isJsonNull()) {
      maxLength = optInt(g, w, "max_new_tokens", 0) + 1;
    }
    double guidance = optDouble(g, w, "guidance_scale", 1.0);
    if (guidance != 1.0) {
      throw new CheckpointException(
          w + ".guidance_scale " + guidance + " is not supported (classifier-free guidance)");
    }
    int minNew = optInt(g, w, "min_new_tokens", 0);
    // min_length counts the BOS column: it bans EOS while the sequence is shorter.
    int minLength = optInt(g, w, "min_length", 0);
    minNew = Math.max(minNew, minLength - 1);
    return new GenerationConfig(
        optInt(g, w, "decoder_start_token_id", startFallback),
        eos,
        optInt(g, w, "pad_token_id", eos),
        optBool(g, w, "do_sample", false),
        maxLength,
        Math.max(0, minNew),
        optDouble(g, w, "temperature", 1.0),
        optInt(g, w, "top_k", 50),
        optDouble(g, w, "top_p", 1.0));
  }
}
