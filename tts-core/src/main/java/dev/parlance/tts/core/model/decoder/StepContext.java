package dev.parlance.tts.core.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.index.NDIndex;

/**
 * What every layer of one forward pass over a {@link KvCache} shares: sizes, cache slices and
 * masks, computed once per step rather than once per layer. (Pooled steps run in {@link
 * PooledStep}.)
 *
 * @param batch B
 * @param length m, new positions in this pass
 * @param start first new position
 * @param keysWrite where the new keys go in a transposed key cache
 * @param valuesWrite where the new values go in a value cache
 * @param keysRead the filled part of a transposed key cache
 * @param valuesRead the filled part of a value cache
 * @param selfMask additive self-attention mask, (B,1,rows,C) or (B,1,1,C); null when none
 * @param ropeCos RoPE cosines (1, m, 1, d_h); null without RoPE
 * @param ropeSin RoPE sines (1, m, 1, d_h); null without RoPE
 */
record StepContext(
    int batch,
    int length,
    int start,
    NDIndex keysWrite,
    NDIndex valuesWrite,
    NDIndex keysRead,
    NDIndex valuesRead,
    NDArray selfMask,
    NDArray ropeCos,
    NDArray ropeSin) {}
