package dev.parlance.tts.benchmarks.checkpoint;

import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;

/**
 * The tensors of a Parler-TTS v1 checkpoint (spec §1.4): real key names and shapes, each with the
 * rule that fills it. Covers everything the published mini-v1 file holds, DAC encoder and quantizer
 * {@code in_proj} included (unused by decoding, but part of the real file), so the generated file
 * has the published byte size.
 *
 * <p>Scales keep activations finite at every layer in fp32 and fp16: linear weights have std
 * 1/sqrt(fan_in) (T5 queries also fold in 1/sqrt(d_kv), as T5 initialises them), norms are 1,
 * biases 0, weight-norm magnitudes {@code weight_g} are 1 (0.5 inside DAC residual units).
 */
public final class ParlerLayout {

  /** Logit gap that keeps EOS and unused ids from ever being sampled (see {@link Init.LmHead}). */
  static final float SPECIAL_LOGIT_MARGIN = 30f;

  /** One tensor to write. */
  public record Tensor(String name, long[] shape, Init init) {
    /** Number of elements. */
    public long elements() {
      long n = 1;
      for (long d : shape) {
        n = Math.multiplyExact(n, d);
      }
      return n;
    }
  }

  private final ParlerShape s;
  private final List<Tensor> tensors = new ArrayList<>();

  private ParlerLayout(ParlerShape shape) {
    this.s = shape;
  }

  /** Every tensor of the checkpoint, sorted by name (the order safetensors writes them in). */
  public static List<Tensor> tensors(ParlerShape shape) {
    ParlerLayout layout = new ParlerLayout(shape);
    layout.textEncoder();
    layout.glue();
    layout.decoder();
    layout.dac();
    layout.tensors.sort(Comparator.comparing(Tensor::name));
    return Collections.unmodifiableList(layout.tensors);
  }

  /** Total parameter count. */
  public static long parameters(ParlerShape shape) {
    return tensors(shape).stream().mapToLong(Tensor::elements).sum();
  }

  // ---- T5 encoder, prefix "text_encoder." ------------------------------------------------------

  private void textEncoder() {
    int d = s.t5Dim();
    int inner = s.t5Heads() * s.t5HeadDim();
    String p = "text_encoder.";
    add(
        p + "shared.weight",
        uniform(1f),
        s.textVocab(),
        d); // tied encoder.embed_tokens: not stored
    for (int i = 0; i < s.t5Layers(); i++) {
      String b = p + "encoder.block." + i + ".layer.";
      add(
          b + "0.SelfAttention.q.weight",
          uniform(1 / Math.sqrt((double) d * s.t5HeadDim())),
          inner,
          d);
      add(b + "0.SelfAttention.k.weight", fanIn(d), inner, d);
      add(b + "0.SelfAttention.v.weight", fanIn(d), inner, d);
      add(b + "0.SelfAttention.o.weight", fanIn(inner), d, inner);
      if (i == 0) { // shared by every block
        add(b + "0.SelfAttention.relative_attention_bias.weight", uniform(0.1), 32, s.t5Heads());
      }
      add(b + "0.layer_norm.weight", ONE, d);
      add(b + "1.DenseReluDense.wi_0.weight", fanIn(d), s.t5Ff(), d);
      add(b + "1.DenseReluDense.wi_1.weight", fanIn(d), s.t5Ff(), d);
      add(b + "1.DenseReluDense.wo.weight", fanIn(s.t5Ff()), d, s.t5Ff());
      add(b + "1.layer_norm.weight", ONE, d);
    }
    add(p + "encoder.final_layer_norm.weight", ONE, d);
  }

  // ---- prompt embedding and the T5 -> decoder projection (no prefix) ---------------------------

  private void glue() {
    add("embed_prompts.weight", uniform(1f), s.textVocab(), s.hidden());
    if (s.hasEncoderProjection()) {
      add("enc_to_dec_proj.weight", fanIn(s.t5Dim()), s.hidden(), s.t5Dim());
      add("enc_to_dec_proj.bias", ZERO, s.hidden());
    }
  }

  // ---- decoder, prefix "decoder." --------------------------------------------------------------

  private void decoder() {
    int h = s.hidden();
    String m = "decoder.model.decoder.";
    for (int k = 0; k < s.codebooks(); k++) {
      add(
          m + "embed_tokens." + k + ".weight",
          uniform(1 / Math.sqrt(s.codebooks())),
          s.decoderVocab() + 1,
          h);
    }
    add(m + "embed_positions.weights", new Init.Sinusoid(), s.maxPositions(), h);
    for (int i = 0; i < s.layers(); i++) {
      String l = m + "layers." + i + ".";
      for (String attn : new String[] {"self_attn", "encoder_attn"}) {
        for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "out_proj"}) {
          add(l + attn + "." + proj + ".weight", fanIn(h), h, h);
        }
        layerNorm(l + attn + "_layer_norm", ZERO);
      }
      add(l + "fc1.weight", fanIn(h), s.ffn(), h);
      add(l + "fc2.weight", fanIn(s.ffn()), h, s.ffn());
      layerNorm(l + "final_layer_norm", ZERO);
    }
    layerNorm(
        m + "layer_norm", ONE); // bias 1: the constant direction the LM heads' special rows read
    for (int k = 0; k < s.codebooks(); k++) {
      add(
          "decoder.lm_heads." + k + ".weight",
          new Init.LmHead(s.codebookSize(), (float) (1 / Math.sqrt(h)), SPECIAL_LOGIT_MARGIN),
          s.decoderVocab(),
          h);
    }
  }

  private void layerNorm(String name, Init bias) {
    add(name + ".weight", ONE, s.hidden());
    add(name + ".bias", bias, s.hidden());
  }

  // ---- DAC 44.1 kHz, Parler wrapper naming with old-style weight norm (flavour A) --------------

  private void dac() {
    String p = "audio_encoder.model.";
    // Encoder (not on the decode path): conv, blocks of 3 residual units + Snake + strided conv.
    int c = s.dacEncoderDim();
    conv(p + "encoder.block.0", c, 1, 7, 1f);
    int[] enc = s.dacEncoderRates();
    for (int i = 0; i < enc.length; i++) {
      String b = p + "encoder.block." + (i + 1) + ".block.";
      for (int r = 0; r < 3; r++) {
        residualUnit(b + r + ".block.", c);
      }
      snake(b + "3.alpha", c);
      conv(b + "4", 2 * c, c, 2 * enc[i], 1f);
      c *= 2;
    }
    snake(p + "encoder.block." + (enc.length + 1) + ".alpha", c);
    conv(p + "encoder.block." + (enc.length + 2), s.latentDim(), c, 3, 1f);

    // Quantizer: codebook lookup, then a 1x1 conv back to the latent; 9 codebooks are summed.
    for (int q = 0; q < s.codebooks(); q++) {
      String v = p + "quantizer.quantizers." + q + ".";
      add(v + "codebook.weight", uniform(1f), s.codebookSize(), s.codebookDim());
      conv(v + "in_proj", s.codebookDim(), s.latentDim(), 1, 1f);
      conv(
          v + "out_proj",
          s.latentDim(),
          s.codebookDim(),
          1,
          (float) (1 / Math.sqrt(s.codebooks())));
    }

    // Decoder: conv_in, upsampling blocks (Snake, ConvTranspose, 3 residual units), Snake, conv.
    int d = s.dacDecoderDim();
    conv(p + "decoder.model.0", d, s.latentDim(), 7, 1f);
    int[] dec = s.dacDecoderRates();
    for (int i = 0; i < dec.length; i++) {
      String b = p + "decoder.model." + (i + 1) + ".block.";
      snake(b + "0.alpha", d);
      // ConvTranspose1d: weight_v (in, out, 2s), weight_g per INPUT channel (in, 1, 1).
      add(b + "1.weight_g", ONE, d, 1, 1);
      add(b + "1.weight_v", uniform(1f), d, d / 2, 2L * dec[i]);
      add(b + "1.bias", ZERO, d / 2);
      for (int r = 0; r < 3; r++) {
        residualUnit(b + (r + 2) + ".block.", d / 2);
      }
      d /= 2;
    }
    snake(p + "decoder.model." + (dec.length + 1) + ".alpha", d);
    conv(p + "decoder.model." + (dec.length + 2), 1, d, 7, 1f);
  }

  /** Snake, conv k7 (dilation 1/3/9 in the model; dilation is not stored), Snake, conv k1. */
  private void residualUnit(String prefix, int channels) {
    snake(prefix + "0.alpha", channels);
    conv(prefix + "1", channels, channels, 7, 0.5f);
    snake(prefix + "2.alpha", channels);
    conv(prefix + "3", channels, channels, 1, 0.5f);
  }

  /** A weight-normed Conv1d: g (out,1,1), v (out,in,k), bias (out). */
  private void conv(String prefix, int out, int in, int kernel, float magnitude) {
    add(prefix + ".weight_g", new Init.Constant(magnitude), out, 1, 1);
    add(prefix + ".weight_v", uniform(1f), out, in, kernel);
    add(prefix + ".bias", ZERO, out);
  }

  private void snake(String name, int channels) {
    add(name, ONE, 1, channels, 1);
  }

  // ---- helpers ---------------------------------------------------------------------------------

  private static final Init ONE = new Init.Constant(1f);
  private static final Init ZERO = new Init.Constant(0f);

  private static Init uniform(double std) {
    return new Init.Uniform((float) std);
  }

  private static Init fanIn(int fanIn) {
    return uniform(1 / Math.sqrt(fanIn));
  }

  private void add(String name, Init init, long... shape) {
    tensors.add(new Tensor(name, shape, init));
  }
}
