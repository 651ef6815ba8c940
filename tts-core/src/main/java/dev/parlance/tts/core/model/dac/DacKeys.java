package dev.parlance.tts.core.model.dac;

/**
 * Module names of the DAC decode path in one checkpoint layout (spec §1.4). Conv modules are named
 * without their parameter suffix; {@link DacLayout#convKeys} adds it.
 *
 * <p>descript {@code dac} (Parler wrapper, prefix {@code audio_encoder.model.}): {@code
 * decoder.model} is an nn.Sequential [conv_in, block_1..block_n, snake, conv_out, tanh], each block
 * a Sequential [snake, convT, residual unit x3] and each residual unit a Sequential [snake, conv
 * k7, snake, conv k1]. transformers {@code DacModel} (prefix {@code audio_encoder.}): named fields
 * {@code conv1, block.N.{snake1, conv_t1, res_unitR.{snake1, conv1, snake2, conv2}}, snake1,
 * conv2}.
 */
final class DacKeys {
  private final String root;
  private final boolean transformers;

  /**
   * @param prefix the checkpoint's DAC prefix, e.g. {@code audio_encoder.}
   */
  DacKeys(String prefix, DacLayout layout) {
    this.transformers = layout.transformersNames();
    this.root = transformers ? prefix : prefix + "model.";
  }

  /** Start of every DAC encoder key, which decoding never reads. */
  String encoderPrefix() {
    return root + "encoder.";
  }

  /** Start of every quantizer key. */
  String quantizerPrefix() {
    return root + "quantizer.";
  }

  String codebook(int q) {
    return quantizerPrefix() + "quantizers." + q + ".codebook.weight";
  }

  String outProj(int q) {
    return quantizerPrefix() + "quantizers." + q + ".out_proj";
  }

  String convIn() {
    return transformers ? root + "decoder.conv1" : root + "decoder.model.0";
  }

  private String block(int b) {
    return transformers
        ? root + "decoder.block." + b + "."
        : root + "decoder.model." + (b + 1) + ".block.";
  }

  String blockSnake(int b) {
    return block(b) + (transformers ? "snake1.alpha" : "0.alpha");
  }

  String blockConvTranspose(int b) {
    return block(b) + (transformers ? "conv_t1" : "1");
  }

  private String residualUnit(int b, int r) {
    return block(b) + (transformers ? "res_unit" + (r + 1) + "." : (r + 2) + ".block.");
  }

  String residualSnake1(int b, int r) {
    return residualUnit(b, r) + (transformers ? "snake1.alpha" : "0.alpha");
  }

  String residualConv1(int b, int r) {
    return residualUnit(b, r) + (transformers ? "conv1" : "1");
  }

  String residualSnake2(int b, int r) {
    return residualUnit(b, r) + (transformers ? "snake2.alpha" : "2.alpha");
  }

  String residualConv2(int b, int r) {
    return residualUnit(b, r) + (transformers ? "conv2" : "3");
  }

  /** The snake after the last of {@code blocks} decoder blocks. */
  String finalSnake(int blocks) {
    return transformers
        ? root + "decoder.snake1.alpha"
        : root + "decoder.model." + (blocks + 1) + ".alpha";
  }

  /** The output conv after the last of {@code blocks} decoder blocks. */
  String finalConv(int blocks) {
    return transformers ? root + "decoder.conv2" : root + "decoder.model." + (blocks + 2);
  }
}
