package dev.parlance.tts.core.model.decoder;

import ai.djl.ndarray.types.DataType;
import java.util.Objects;

/**
 * Device memory one request row needs in the decoder, for sizing continuous batches. Mirrors what
 * {@link ParlerDecoder#newCache} allocates for a batch-1 cache (checked against a real cache in the
 * tests) plus an estimate of one batched step's intermediates for the row.
 *
 * <p>Not counted here: the description's encoder states (owned by the description cache, bounded by
 * its own setting), a prompt prefill (one row at a time, transient) and the DAC window; the
 * runtime's memory reserve covers those.
 */
public final class RowMemory {
  private static final int SAMPLER_COPIES = 6;
  private final DecoderConfig config;
  private final int bytes; // per element of the compute dtype

  /**
   * @param config the decoder's shape
   * @param dtype the decoder's compute dtype (the dtype of its KV cache)
   */
  public RowMemory(DecoderConfig config, DataType dtype) {
    this.config = Objects.requireNonNull(config, "config");
    this.bytes = dtype.getNumOfBytes();
  }

  /**
   * Bytes of a batch-1 {@link KvCache}: per layer, self-attention keys (1, kv, d_h, capacity) and
   * values (1, kv, capacity, d_h), cross-attention keys (1, kv_x, d_h, S) and values (1, kv_x, S,
   * d_h). A single row is never padded, so it has no additive masks.
   *
   * @param capacity positions: prompt prefix plus max_length
   * @param descriptionTokens S, the encoded description's length
   */
  public long cacheBytes(int capacity, int descriptionTokens) {
    long dh = config.headDim();
    long self = 2L * config.numKeyValueHeads() * dh * capacity;
    long cross = 2L * config.numCrossKeyValueHeads() * dh * descriptionTokens;
    return (self + cross) * config.numLayers() * bytes;
  }

  /**
   * Estimated bytes of the row's share of one batched decoding step ({@code stepRows}): the step's
   * scratch manager keeps every layer's intermediates until the step ends, i.e. per layer about a
   * dozen hidden-size vectors, three FFN-size ones and two attention score rows over the self and
   * cross keys; then the logits in the compute dtype and the sampler's float64 working copies of
   * them (about six alive at once).
   */
  public long stepBytes(int capacity, int descriptionTokens) {
    long h = config.hiddenSize();
    long scores = 2L * config.numHeads() * ((long) capacity + descriptionTokens);
    long perLayer = 12 * h + 3L * config.ffnDim() + scores;
    long logits = (long) config.numCodebooks() * config.vocabSize();
    return (perLayer * config.numLayers() + h) * bytes + logits * (bytes + SAMPLER_COPIES * 8);
  }

  /** {@link #cacheBytes} plus {@link #stepBytes}: what a row on its own cache costs. */
  public long rowBytes(int capacity, int descriptionTokens) {
    return cacheBytes(capacity, descriptionTokens) + stepBytes(capacity, descriptionTokens);
  }

  /**
   * What admitting a row into a {@link KvPool} may cost: the pool pads every slot to its longest
   * row's capacity and doubles its slot count as rows join, so a row is charged two slots of {@code
   * slotCapacity} positions (the longest capacity any row may have), plus its step share.
   */
  public long pooledRowBytes(int slotCapacity, int descriptionTokens) {
    return 2 * cacheBytes(slotCapacity, descriptionTokens)
        + stepBytes(slotCapacity, descriptionTokens);
  }
}
