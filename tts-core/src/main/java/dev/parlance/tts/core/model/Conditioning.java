package dev.parlance.tts.core.model;

import ai.djl.ndarray.NDArray;

/**
 * What the decoder is conditioned on for one batch, all in the request's manager.
 *
 * @param textStates the raw T5 output (B,S,D_t), padded rows not zeroed
 * @param encoderStates E (B,S,H): {@code enc_to_dec_proj} applied when present, padded rows zeroed
 * @param descriptionMask (B,S) 1 = token, 0 = pad (right padding)
 * @param promptEmbeds {@code embed_prompts(prompt ids)} (B,P,H)
 * @param promptMask (B,P) 1 = token, 0 = pad (left padding)
 */
public record Conditioning(
    NDArray textStates,
    NDArray encoderStates,
    long[][] descriptionMask,
    NDArray promptEmbeds,
    long[][] promptMask) {

  /** Batch size. */
  public int batch() {
    return descriptionMask.length;
  }

  /** Padded prompt length P. */
  public int promptLength() {
    return promptMask.length == 0 ? 0 : promptMask[0].length;
  }
}
