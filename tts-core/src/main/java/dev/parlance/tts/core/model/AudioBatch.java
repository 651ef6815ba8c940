package dev.parlance.tts.core.model;

/**
 * Decoded audio of a batch, zero-padded to the longest item as the reference returns it.
 *
 * @param audio (B, samples) float audio in [-1, 1]
 * @param lengths real samples per item
 */
public record AudioBatch(float[][] audio, int[] lengths) {

  /** Item b without its padding. */
  public float[] item(int b) {
    return java.util.Arrays.copyOf(audio[b], lengths[b]);
  }
}
