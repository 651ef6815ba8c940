package dev.parlance.tts.core.generation;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.parlance.tts.core.model.decoder.KvCache;
import dev.parlance.tts.core.model.decoder.ParlerDecoder;

/**
 * Runs the decoder until the {@link Generation} ends. Each step's intermediates live in a child
 * manager closed at the end of the step; tokens are chosen on the device, so only they cross to the
 * host.
 */
public final class DecodeLoop {
  private DecodeLoop() {}

  /** Called after every step; may throw to stop the loop (e.g. on cancellation). */
  @FunctionalInterface
  public interface StepListener {
    /**
     * @param generation the state after the step ({@link Generation#eosBanned} says where the
     *     processors banned EOS)
     * @param logits the step's raw logits (B*K, V) on the device; closed when the step ends
     */
    void afterStep(Generation generation, NDArray logits);
  }

  /** A fresh generation state for {@code batch} items of this decoder. */
  public static Generation start(
      ParlerDecoder decoder, int batch, GenerationConfig ids, SamplingSettings settings) {
    return new Generation(
        batch,
        decoder.config().numCodebooks(),
        decoder.config().vocabSize(),
        ids.decoderStartTokenId(),
        ids.eosTokenId(),
        ids.padTokenId(),
        settings);
  }

  /**
   * Decodes from the BOS column to the end.
   *
   * @param cache a fresh cache from {@link ParlerDecoder#newCache}
   * @param promptEmbeds the prompt prefix (B,P,H), fed with the first step; null for none
   * @param ids special ids (BOS, EOS, PAD)
   * @param manager parent of the per-step managers
   */
  public static Generation run(
      ParlerDecoder decoder,
      KvCache cache,
      NDArray promptEmbeds,
      GenerationConfig ids,
      SamplingSettings settings,
      NDManager manager,
      StepListener listener) {
    Generation g = start(decoder, cache.batch(), ids, settings);
    TokenSampler sampler = TokenSampler.on(manager.getDevice());
    NDArray prefix = promptEmbeds;
    while (!g.done()) {
      try (NDManager step = manager.newSubManager()) {
        NDArray logits = decoder.step(cache, prefix, g.nextInput(), 1, step);
        prefix = null;
        g.step(logits, sampler);
        if (listener != null) {
          listener.afterStep(g, logits);
        }
      }
    }
    return g;
  }
}
