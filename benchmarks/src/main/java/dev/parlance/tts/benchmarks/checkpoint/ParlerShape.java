package dev.parlance.tts.benchmarks.checkpoint;

import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Every size that fixes the tensor shapes of a Parler-TTS v1 checkpoint (flag set of mini-v1:
 * sinusoidal positions, MHA, separate LM heads, DAC with {@code weight_g}/{@code weight_v}). Values
 * from the model spec §1.2 and §10.1 ({@code shared/docs/parler-tts-model.md}).
 *
 * @param name what {@code --shape} calls it, e.g. {@code mini-v1}
 * @param modelId the hub model these shapes copy, written into {@code config.json}
 * @param textVocab T5 vocabulary = rows of {@code text_encoder.shared} and {@code embed_prompts}
 * @param t5Dim T5 {@code d_model} (D_t)
 * @param t5Ff T5 {@code d_ff}
 * @param t5Heads T5 heads
 * @param t5HeadDim T5 {@code d_kv}
 * @param t5Layers T5 blocks
 * @param hidden decoder {@code hidden_size} (H)
 * @param layers decoder layers (L)
 * @param heads decoder attention heads (and key/value heads: no GQA)
 * @param ffn decoder {@code ffn_dim} (F)
 * @param codebooks K
 * @param codebookSize DAC entries per codebook; also the EOS/PAD id
 * @param decoderVocab V = codebookSize + 64 (LM-head rows; embedding rows are V + 1)
 * @param maxPositions rows of the sinusoidal position table
 * @param codebookDim DAC codebook vector width
 * @param latentDim DAC latent channels
 * @param dacEncoderDim DAC encoder base width (the encoder is stored, though decoding skips it)
 * @param dacEncoderRates DAC encoder strides
 * @param dacDecoderDim DAC decoder base width
 * @param dacDecoderRates DAC decoder strides; hop = their product
 * @param sampleRate audio sample rate
 */
public record ParlerShape(
    String name,
    String modelId,
    int textVocab,
    int t5Dim,
    int t5Ff,
    int t5Heads,
    int t5HeadDim,
    int t5Layers,
    int hidden,
    int layers,
    int heads,
    int ffn,
    int codebooks,
    int codebookSize,
    int decoderVocab,
    int maxPositions,
    int codebookDim,
    int latentDim,
    int dacEncoderDim,
    int[] dacEncoderRates,
    int dacDecoderDim,
    int[] dacDecoderRates,
    int sampleRate) {

  /** parler-tts/parler-tts-mini-v1: 877.8 M parameters, one 3.51 GB F32 file. */
  public static final ParlerShape MINI_V1 =
      new ParlerShape(
          "mini-v1",
          "parler-tts/parler-tts-mini-v1",
          32128,
          1024,
          2816,
          16,
          64,
          24,
          1024,
          24,
          16,
          4096,
          9,
          1024,
          1088,
          4096,
          8,
          1024,
          64,
          new int[] {2, 4, 8, 8},
          1536,
          new int[] {8, 8, 4, 2},
          44100);

  /**
   * parler-tts/parler-tts-large-v1 (sizes derived in spec §10.1, not read from its config): ≈ 2.33
   * G parameters, 9.33 GB F32 in two shards.
   */
  public static final ParlerShape LARGE_V1 =
      new ParlerShape(
          "large-v1",
          "parler-tts/parler-tts-large-v1",
          32128,
          2048,
          5120,
          32,
          64,
          24,
          1536,
          25,
          24,
          6144,
          9,
          1024,
          1088,
          4096,
          8,
          1024,
          64,
          new int[] {2, 4, 8, 8},
          1536,
          new int[] {8, 8, 4, 2},
          44100);

  /** The built-in shapes. */
  public static List<ParlerShape> known() {
    return List.of(MINI_V1, LARGE_V1);
  }

  /**
   * A built-in shape by name.
   *
   * @throws IllegalArgumentException unknown name
   */
  public static ParlerShape named(String name) {
    for (ParlerShape s : known()) {
      if (s.name.equals(name.toLowerCase(Locale.ROOT))) {
        return s;
      }
    }
    throw new IllegalArgumentException(
        "shape: unknown '"
            + name
            + "', expected one of "
            + known().stream().map(ParlerShape::name).toList());
  }

  /** Samples per audio frame (product of the decoder strides). */
  public int hopLength() {
    return Arrays.stream(dacDecoderRates).reduce(1, (a, b) -> a * b);
  }

  /**
   * Whether the checkpoint carries {@code enc_to_dec_proj} (T5 width differs from the decoder's).
   */
  public boolean hasEncoderProjection() {
    return t5Dim != hidden;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof ParlerShape s && toString().equals(s.toString());
  }

  @Override
  public int hashCode() {
    return toString().hashCode();
  }

  @Override
  public String toString() {
    return String.join(
        ",",
        name,
        modelId,
        Arrays.toString(
            new int[] {
              textVocab,
              t5Dim,
              t5Ff,
              t5Heads,
              t5HeadDim,
              t5Layers,
              hidden,
              layers,
              heads,
              ffn,
              codebooks,
              codebookSize,
              decoderVocab,
              maxPositions,
              codebookDim,
              latentDim,
              dacEncoderDim,
              dacDecoderDim,
              sampleRate
            }),
        Arrays.toString(dacEncoderRates),
        Arrays.toString(dacDecoderRates));
  }
}
