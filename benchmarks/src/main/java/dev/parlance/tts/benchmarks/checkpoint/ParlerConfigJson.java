package dev.parlance.tts.benchmarks.checkpoint;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;

/**
 * {@code config.json} and {@code generation_config.json} for a {@link ParlerShape}, with the
 * structure and field names {@code ParlerTTSConfig.save_pretrained} writes (spec §1.2–1.3). Only
 * the fields that change the math or the special ids are written; the generic {@code
 * PretrainedConfig} fields HF adds (and loaders ignore) are left out.
 */
final class ParlerConfigJson {

  private ParlerConfigJson() {}

  static JsonObject config(ParlerShape s) {
    JsonObject root = new JsonObject();
    root.add("architectures", array("ParlerTTSForConditionalGeneration"));
    root.add("audio_encoder", audioEncoder(s));
    root.add("decoder", decoder(s));
    root.addProperty("decoder_start_token_id", s.codebookSize() + 1);
    root.addProperty("is_encoder_decoder", true);
    root.addProperty("model_type", "parler_tts");
    root.addProperty("pad_token_id", s.codebookSize());
    root.addProperty("prompt_cross_attention", false);
    root.add("text_encoder", textEncoder(s));
    root.addProperty("torch_dtype", "float32");
    root.addProperty("transformers_version", "4.46.1");
    root.addProperty("vocab_size", s.textVocab());
    return root;
  }

  static JsonObject generationConfig(ParlerShape s) {
    JsonObject g = new JsonObject();
    g.addProperty("_from_model_config", true);
    g.addProperty("bos_token_id", s.codebookSize() + 1);
    g.addProperty("decoder_start_token_id", s.codebookSize() + 1);
    g.addProperty("do_sample", true);
    g.addProperty("eos_token_id", s.codebookSize());
    g.addProperty("max_length", 2580);
    g.addProperty("min_new_tokens", 10);
    g.addProperty("pad_token_id", s.codebookSize());
    g.addProperty("transformers_version", "4.46.1");
    return g;
  }

  private static JsonObject audioEncoder(ParlerShape s) {
    JsonObject a = new JsonObject();
    a.addProperty("codebook_size", s.codebookSize());
    a.addProperty("frame_rate", Math.round((double) s.sampleRate() / s.hopLength()));
    a.addProperty("latent_dim", s.latentDim());
    a.addProperty("model_bitrate", 8);
    a.addProperty("model_type", "dac");
    a.addProperty("num_codebooks", s.codebooks());
    a.addProperty("sampling_rate", s.sampleRate());
    return a;
  }

  private static JsonObject decoder(ParlerShape s) {
    JsonObject d = new JsonObject();
    d.addProperty("activation_dropout", 0.0);
    d.addProperty("activation_function", "gelu");
    d.addProperty("attention_dropout", 0.0);
    d.addProperty("bos_token_id", s.codebookSize() + 1);
    d.add("codebook_weights", JsonNull.INSTANCE);
    d.add("cross_attention_hidden_size", JsonNull.INSTANCE);
    d.add("cross_attention_implementation_strategy", JsonNull.INSTANCE);
    d.addProperty("dropout", 0.1);
    d.addProperty("eos_token_id", s.codebookSize());
    d.addProperty("ffn_dim", s.ffn());
    d.addProperty("hidden_size", s.hidden());
    d.addProperty("initializer_factor", 0.02);
    d.addProperty("layerdrop", 0.0);
    d.addProperty("max_position_embeddings", s.maxPositions());
    d.addProperty("model_type", "parler_tts_decoder");
    d.addProperty("num_attention_heads", s.heads());
    d.addProperty("num_codebooks", s.codebooks());
    d.addProperty("num_cross_attention_key_value_heads", s.heads());
    d.addProperty("num_hidden_layers", s.layers());
    d.addProperty("num_key_value_heads", s.heads());
    d.addProperty("pad_token_id", s.codebookSize());
    d.addProperty("rope_embeddings", false);
    d.addProperty("rope_theta", 10000.0);
    d.addProperty("scale_embedding", false);
    d.addProperty("tie_word_embeddings", false);
    d.addProperty("use_cache", true);
    d.addProperty("use_fused_lm_heads", false);
    d.addProperty("vocab_size", s.decoderVocab());
    return d;
  }

  private static JsonObject textEncoder(ParlerShape s) {
    JsonObject t = new JsonObject();
    t.addProperty(
        "_name_or_path", s.t5Dim() == 1024 ? "google/flan-t5-large" : "google/flan-t5-xl");
    t.add("architectures", array("T5ForConditionalGeneration"));
    t.addProperty("d_ff", s.t5Ff());
    t.addProperty("d_kv", s.t5HeadDim());
    t.addProperty("d_model", s.t5Dim());
    t.addProperty("decoder_start_token_id", 0);
    t.addProperty("dense_act_fn", "gelu_new");
    t.addProperty("dropout_rate", 0.1);
    t.addProperty("eos_token_id", 1);
    t.addProperty("feed_forward_proj", "gated-gelu");
    t.addProperty("is_gated_act", true);
    t.addProperty("layer_norm_epsilon", 1e-6);
    t.addProperty("model_type", "t5");
    t.addProperty("n_positions", 512);
    t.addProperty("num_decoder_layers", s.t5Layers());
    t.addProperty("num_heads", s.t5Heads());
    t.addProperty("num_layers", s.t5Layers());
    t.addProperty("pad_token_id", 0);
    t.addProperty("relative_attention_max_distance", 128);
    t.addProperty("relative_attention_num_buckets", 32);
    t.addProperty("tie_word_embeddings", false);
    t.addProperty("vocab_size", s.textVocab());
    return t;
  }

  private static JsonArray array(String value) {
    JsonArray a = new JsonArray();
    a.add(value);
    return a;
  }
}
