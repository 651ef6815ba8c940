package dev.parlance.tts.core.model;

import static dev.parlance.tts.core.model.JsonFields.optBool;
import static dev.parlance.tts.core.model.JsonFields.optInt;
import static dev.parlance.tts.core.model.JsonFields.optString;
import static dev.parlance.tts.core.model.JsonFields.requireInt;
import static dev.parlance.tts.core.model.JsonFields.requireObject;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parlance.tts.core.checkpoint.CheckpointException;
import dev.parlance.tts.core.generation.GenerationConfig;
import dev.parlance.tts.core.model.decoder.DecoderConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * A Parler-TTS checkpoint's {@code config.json} and {@code generation_config.json}. Everything is
 * read from the files; no dimension is assumed.
 *
 * @param decoder the decoder's shape
 * @param textEncoder config.json's {@code "text_encoder"} object (T5)
 * @param textHiddenSize T5 {@code d_model} (D_t)
 * @param textEncoderName {@code text_encoder._name_or_path}, where the description tokenizer lives
 * @param audioEncoder config.json's {@code "audio_encoder"} object (DAC)
 * @param promptVocabSize rows of {@code embed_prompts}
 * @param decoderStartTokenId BOS
 * @param padTokenId PAD (= EOS)
 * @param generation generation defaults
 */
public record ParlerConfig(
    DecoderConfig decoder,
    JsonObject textEncoder,
    int textHiddenSize,
    String textEncoderName,
    JsonObject audioEncoder,
    int promptVocabSize,
    int decoderStartTokenId,
    int padTokenId,
    GenerationConfig generation) {

  /** Reads both files of a checkpoint directory; generation_config.json is optional. */
  public static ParlerConfig load(Path checkpointDir) {
    JsonObject config = readJson(checkpointDir.resolve("config.json"));
    Path gen = checkpointDir.resolve("generation_config.json");
    return parse(config, Files.isRegularFile(gen) ? readJson(gen) : new JsonObject());
  }

  /** Parses config.json and generation_config.json objects, rejecting what the port lacks. */
  public static ParlerConfig parse(JsonObject config, JsonObject generationConfig) {
    String w = "config.json";
    String type = optString(config, "model_type", "");
    if (!type.equals("parler_tts")) {
      throw new CheckpointException(w + ".model_type is '" + type + "', expected 'parler_tts'");
    }
    if (optBool(config, w, "prompt_cross_attention", false)) {
      throw new CheckpointException(
          w + ".prompt_cross_attention = true is not supported (no released checkpoint uses it)");
    }
    JsonObject dec = requireObject(config, w, "decoder");
    DecoderConfig decoder = DecoderConfig.fromJson(dec);
    JsonObject text = requireObject(config, w, "text_encoder");
    int dModel = requireInt(text, w + " text_encoder", "d_model");
    if (dec.has("cross_attention_hidden_size")
        && !dec.get("cross_attention_hidden_size").isJsonNull()
        && dec.get("cross_attention_hidden_size").getAsInt() != decoder.hiddenSize()) {
      throw new CheckpointException(
          w + " decoder.cross_attention_hidden_size other than hidden_size is not supported");
    }
    JsonObject audio = requireObject(config, w, "audio_encoder");
    int audioCodebooks = optInt(audio, w + " audio_encoder", "num_codebooks", -1);
    if (audioCodebooks < 0) {
      audioCodebooks = optInt(audio, w + " audio_encoder", "n_codebooks", decoder.numCodebooks());
    }
    if (audioCodebooks != decoder.numCodebooks()) {
      throw new CheckpointException(
          w
              + ": decoder.num_codebooks "
              + decoder.numCodebooks()
              + " != audio_encoder codebooks "
              + audioCodebooks);
    }
    int start = optInt(config, w, "decoder_start_token_id", decoder.bosTokenId());
    int pad = optInt(config, w, "pad_token_id", decoder.eosTokenId());
    return new ParlerConfig(
        decoder,
        text,
        dModel,
        optString(text, "_name_or_path", ""),
        audio,
        requireInt(config, w, "vocab_size"),
        start,
        pad,
        GenerationConfig.fromJson(generationConfig, start, decoder.eosTokenId()));
  }

  /** Whether the checkpoint projects T5 states to the decoder width ({@code enc_to_dec_proj}). */
  public boolean hasEncoderProjection() {
    return textHiddenSize != decoder.hiddenSize();
  }

  /** Codebook size C = the EOS/PAD id. */
  public int codebookSize() {
    return decoder.eosTokenId();
  }

  private static JsonObject readJson(Path file) {
    try {
      return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (IOException e) {
      throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      throw new CheckpointException(file + " is not a JSON object: " + e.getMessage(), e);
    }
  }
}
