package dev.parlance.tts.core.model;

import dev.parlance.tts.core.checkpoint.SafetensorsWriter;
import dev.parlance.tts.core.checkpoint.TensorType;
import dev.parlance.tts.core.testing.Fixtures;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a random-weight Parler-TTS checkpoint with the exact parler-tts-mini-v1 shapes (model spec
 * §1.2/§1.4/§10): flan-T5-large encoder, 24-layer H=1024 decoder, 9 separate LM heads, 44.1 kHz DAC
 * with weight_g/weight_v. The DAC encoder, which decoding never reads, is left out. The tokenizer
 * files are the tiny fixture's (their ids fit the 32128-row tables).
 */
final class RandomCheckpoint {
  private RandomCheckpoint() {}

  static void write(Path dir) throws IOException {
    Files.createDirectories(dir);
    Path tokenizerSource = Fixtures.checkpoint("tiny-mini-v1-arch");
    for (String f :
        new String[] {
          "tokenizer.json", "tokenizer_config.json", "special_tokens_map.json", "spiece.model"
        }) {
      Files.copy(tokenizerSource.resolve(f), dir.resolve(f));
    }
    Files.writeString(dir.resolve("config.json"), CONFIG);
    Files.writeString(
        dir.resolve("generation_config.json"),
        "{\"bos_token_id\": 1025, \"decoder_start_token_id\": 1025, \"do_sample\": true,"
            + " \"eos_token_id\": 1024, \"max_length\": 2580, \"min_new_tokens\": 10,"
            + " \"pad_token_id\": 1024}");
    SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
    long[] seed = {1};
    // T5 encoder (flan-t5-large)
    String t = "text_encoder.";
    random(w, t + "shared.weight", seed, 32128, 1024);
    for (int i = 0; i < 24; i++) {
      String b = t + "encoder.block." + i + ".layer.";
      for (String p : new String[] {"q", "k", "v", "o"}) {
        random(w, b + "0.SelfAttention." + p + ".weight", seed, 1024, 1024);
      }
      if (i == 0) {
        random(w, b + "0.SelfAttention.relative_attention_bias.weight", seed, 32, 16);
      }
      ones(w, b + "0.layer_norm.weight", 1024);
      random(w, b + "1.DenseReluDense.wi_0.weight", seed, 2816, 1024);
      random(w, b + "1.DenseReluDense.wi_1.weight", seed, 2816, 1024);
      random(w, b + "1.DenseReluDense.wo.weight", seed, 1024, 2816);
      ones(w, b + "1.layer_norm.weight", 1024);
    }
    ones(w, t + "encoder.final_layer_norm.weight", 1024);
    // glue and decoder
    random(w, "embed_prompts.weight", seed, 32128, 1024);
    String d = "decoder.model.decoder.";
    for (int k = 0; k < 9; k++) {
      random(w, d + "embed_tokens." + k + ".weight", seed, 1089, 1024);
    }
    random(w, d + "embed_positions.weights", seed, 4096, 1024);
    for (int i = 0; i < 24; i++) {
      String l = d + "layers." + i + ".";
      for (String a : new String[] {"self_attn.", "encoder_attn."}) {
        for (String p : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
          random(w, l + a + p + ".weight", seed, 1024, 1024);
        }
      }
      for (String n :
          new String[] {"self_attn_layer_norm", "encoder_attn_layer_norm", "final_layer_norm"}) {
        ones(w, l + n + ".weight", 1024);
        zeros(w, l + n + ".bias", 1024);
      }
      random(w, l + "fc1.weight", seed, 4096, 1024);
      random(w, l + "fc2.weight", seed, 1024, 4096);
    }
    ones(w, d + "layer_norm.weight", 1024);
    zeros(w, d + "layer_norm.bias", 1024);
    for (int k = 0; k < 9; k++) {
      random(w, "decoder.lm_heads." + k + ".weight", seed, 1088, 1024);
    }
    // DAC 44.1 kHz decoder path (weight norm as weight_g / weight_v)
    String q = "audio_encoder.model.quantizer.quantizers.";
    for (int k = 0; k < 9; k++) {
      random(w, q + k + ".codebook.weight", seed, 1024, 8);
      conv(w, q + k + ".out_proj", seed, 1024, 8, 1, 1024);
      conv(w, q + k + ".in_proj", seed, 8, 1024, 1, 8);
    }
    String m = "audio_encoder.model.decoder.model.";
    conv(w, m + "0", seed, 1536, 1024, 7, 1536);
    int[][] blocks = {{1536, 768, 8}, {768, 384, 8}, {384, 192, 4}, {192, 96, 2}};
    for (int j = 0; j < blocks.length; j++) {
      int in = blocks[j][0];
      int out = blocks[j][1];
      int s = blocks[j][2];
      String b = m + (j + 1) + ".block.";
      ones(w, b + "0.alpha", 1, in, 1);
      conv(w, b + "1", seed, in, out, 2 * s, out); // ConvTranspose: (in, out, k), g per input
      for (int r = 2; r <= 4; r++) {
        String u = b + r + ".block.";
        ones(w, u + "0.alpha", 1, out, 1);
        conv(w, u + "1", seed, out, out, 7, out);
        ones(w, u + "2.alpha", 1, out, 1);
        conv(w, u + "3", seed, out, out, 1, out);
      }
    }
    ones(w, m + "5.alpha", 1, 96, 1);
    conv(w, m + "6", seed, 1, 96, 7, 1);
    w.write(dir.resolve("model.safetensors"));
  }

  private static void conv(
      SafetensorsWriter w, String name, long[] seed, int dim0, int dim1, int k, int bias)
      throws IOException {
    ones(w, name + ".weight_g", dim0, 1, 1);
    random(w, name + ".weight_v", seed, dim0, dim1, k);
    zeros(w, name + ".bias", bias);
  }

  private static void ones(SafetensorsWriter w, String name, long... shape) {
    constant(w, name, 1f, shape);
  }

  private static void zeros(SafetensorsWriter w, String name, long... shape) {
    constant(w, name, 0f, shape);
  }

  private static void constant(SafetensorsWriter w, String name, float value, long... shape) {
    w.add(name, TensorType.F32, shape, out -> fill(out, count(shape), () -> value));
  }

  /** Uniform in [-0.05, 0.05) from a xorshift stream, so the file is reproducible. */
  private static void random(SafetensorsWriter w, String name, long[] seed, long... shape) {
    long start = seed[0] += 0x9E3779B97F4A7C15L;
    w.add(
        name,
        TensorType.F32,
        shape,
        out -> {
          long[] s = {start == 0 ? 1 : start};
          fill(
              out,
              count(shape),
              () -> {
                long x = s[0];
                x ^= x << 13;
                x ^= x >>> 7;
                x ^= x << 17;
                s[0] = x;
                return ((x >>> 40) / (float) (1 << 24) - 0.5f) * 0.1f;
              });
        });
  }

  private interface FloatSource {
    float next();
  }

  private static void fill(OutputStream out, long n, FloatSource source) throws IOException {
    ByteBuffer b = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    for (long i = 0; i < n; i++) {
      if (!b.hasRemaining()) {
        out.write(b.array(), 0, b.position());
        b.clear();
      }
      b.putFloat(source.next());
    }
    out.write(b.array(), 0, b.position());
  }

  private static long count(long[] shape) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    return n;
  }

  private static final String CONFIG =
      """
      {
        "model_type": "parler_tts",
        "is_encoder_decoder": true,
        "vocab_size": 32128,
        "decoder_start_token_id": 1025,
        "pad_token_id": 1024,
        "prompt_cross_attention": false,
        "text_encoder": {
          "model_type": "t5", "_name_or_path": "google/flan-t5-large", "vocab_size": 32128,
          "d_model": 1024, "d_kv": 64, "d_ff": 2816, "num_layers": 24, "num_heads": 16,
          "relative_attention_num_buckets": 32, "relative_attention_max_distance": 128,
          "layer_norm_epsilon": 1e-06, "feed_forward_proj": "gated-gelu",
          "dense_act_fn": "gelu_new", "is_gated_act": true
        },
        "audio_encoder": {
          "model_type": "dac", "num_codebooks": 9, "codebook_size": 1024, "latent_dim": 1024,
          "frame_rate": 86, "sampling_rate": 44100, "model_bitrate": 8
        },
        "decoder": {
          "model_type": "parler_tts_decoder", "vocab_size": 1088, "max_position_embeddings": 4096,
          "num_hidden_layers": 24, "ffn_dim": 4096, "num_attention_heads": 16,
          "num_key_value_heads": 16, "num_cross_attention_key_value_heads": 16,
          "activation_function": "gelu", "hidden_size": 1024, "num_codebooks": 9,
          "pad_token_id": 1024, "bos_token_id": 1025, "eos_token_id": 1024,
          "rope_embeddings": false, "rope_theta": 10000.0, "scale_embedding": false,
          "use_fused_lm_heads": false, "cross_attention_hidden_size": null,
          "tie_word_embeddings": false
        }
      }
      """;
}
