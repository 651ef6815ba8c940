package dev.parlance.tts.core.model.dac;

import java.util.Arrays;

/**
 * Shape of a DAC decoder, inferred from the checkpoint's weight shapes (the Parler wrapper's
 * config.json always describes the 44.1 kHz default, whatever the weights are).
 *
 * @param numCodebooks residual quantizer depth K (9 for 44.1 kHz DAC)
 * @param codebookSize entries per codebook (1024); valid code ids are {@code 0..codebookSize-1}
 * @param codebookDim dimension of a codebook entry (8)
 * @param latentDim width of the quantized latent (1024)
 * @param decoderDim channels after the first decoder conv (1536); each block halves them
 * @param decoderRates upsampling stride of each decoder block ({8, 8, 4, 2})
 * @param hopLength audio samples per code frame, the product of the rates (512)
 * @param sampleRate audio sample rate in Hz (44100); not derivable from weights, taken from the
 *     model config
 */
public record DacConfig(
    int numCodebooks,
    int codebookSize,
    int codebookDim,
    int latentDim,
    int decoderDim,
    int[] decoderRates,
    int hopLength,
    int sampleRate) {

  /** Sample rate of the DAC 44.1 kHz model that every Parler-TTS checkpoint uses. */
  public static final int DEFAULT_SAMPLE_RATE = 44_100;

  public DacConfig {
    decoderRates = decoderRates.clone();
    int product = 1;
    for (int rate : decoderRates) {
      product = Math.multiplyExact(product, rate);
    }
    if (product != hopLength) {
      throw new IllegalArgumentException(
          "hopLength " + hopLength + " is not the product of " + Arrays.toString(decoderRates));
    }
  }

  @Override
  public int[] decoderRates() {
    return decoderRates.clone();
  }

  /** Code frames per second of audio (86.13 for 44.1 kHz DAC). */
  public double frameRate() {
    return (double) sampleRate / hopLength;
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof DacConfig c
        && numCodebooks == c.numCodebooks
        && codebookSize == c.codebookSize
        && codebookDim == c.codebookDim
        && latentDim == c.latentDim
        && decoderDim == c.decoderDim
        && Arrays.equals(decoderRates, c.decoderRates)
        && hopLength == c.hopLength
        && sampleRate == c.sampleRate;
  }

  @Override
  public int hashCode() {
    return Arrays.hashCode(
            new int[] {numCodebooks, codebookSize, codebookDim, latentDim, decoderDim, hopLength})
        + 31 * Arrays.hashCode(decoderRates)
        + sampleRate;
  }

  @Override
  public String toString() {
    return "DacConfig[numCodebooks="
        + numCodebooks
        + ", codebookSize="
        + codebookSize
        + ", codebookDim="
        + codebookDim
        + ", latentDim="
        + latentDim
        + ", decoderDim="
        + decoderDim
        + ", decoderRates="
        + Arrays.toString(decoderRates)
        + ", hopLength="
        + hopLength
        + ", sampleRate="
        + sampleRate
        + "]";
  }
}
