package dev.parlance.tts.core.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * One request's decoder state: preallocated self-attention keys/values written in place (never
 * concatenated), cross-attention keys/values computed once from the description, the additive
 * masks, and how many positions are filled. Everything lives in the request's manager; close it to
 * free the memory.
 *
 * <p>Keys are stored transposed, (B, kv_heads, d_h, capacity), so a step's scores are one matmul
 * against a slice of the cache; values are (B, kv_heads, capacity, d_h).
 *
 * <p>In continuous batching the first {@link ParlerDecoder#stepRows} moves a batch-1 cache's
 * keys/values into a {@link KvPool} slot; the cache then keeps only its length and masks.
 */
public final class KvCache implements AutoCloseable {
  final NDManager manager;
  final int batch;
  final int capacity;
  final NDArray[] selfKeysT;
  final NDArray[] selfValues;
  final NDArray[] crossKeysT;
  final NDArray[] crossValues;

  /** Additive cross-attention mask (B, 1, 1, S); null when no description is padded. */
  final NDArray crossMask;

  /** Per batch row: which cache positions may be attended (false at padded prompt positions). */
  final boolean[][] keyValid;

  /** Additive self-attention key mask (B, 1, 1, capacity); null when nothing is padded. */
  final NDArray selfKeyMask;

  /** Per batch row: which description tokens may be attended (false at padding). */
  final boolean[][] descriptionValid;

  int length;

  /** The pool holding this cache's keys/values once {@link ParlerDecoder#stepRows} took it in. */
  KvPool pool;

  int slot = -1;

  /** Description length S, kept when the cross keys/values move into the pool. */
  int crossLength;

  KvCache(
      NDManager manager,
      int batch,
      int capacity,
      int layers,
      NDArray crossMask,
      boolean[][] keyValid,
      NDArray selfKeyMask,
      boolean[][] descriptionValid) {
    this.manager = manager;
    this.batch = batch;
    this.capacity = capacity;
    this.selfKeysT = new NDArray[layers];
    this.selfValues = new NDArray[layers];
    this.crossKeysT = new NDArray[layers];
    this.crossValues = new NDArray[layers];
    this.crossMask = crossMask;
    this.keyValid = keyValid;
    this.selfKeyMask = selfKeyMask;
    this.descriptionValid = descriptionValid;
  }

  /** Batch size. */
  public int batch() {
    return batch;
  }

  /** Positions filled so far (prompt prefix included). */
  public int length() {
    return length;
  }

  /** Positions this cache can hold. */
  public int capacity() {
    return capacity;
  }

  /** Bytes held by the cache's tensors (self and cross keys/values, masks). */
  public long bytes() {
    long total = bytes(crossMask) + bytes(selfKeyMask);
    for (NDArray[] perLayer : new NDArray[][] {selfKeysT, selfValues, crossKeysT, crossValues}) {
      for (NDArray a : perLayer) {
        total += bytes(a);
      }
    }
    return total;
  }

  static long bytes(NDArray a) {
    return a == null ? 0 : a.size() * a.getDataType().getNumOfBytes();
  }

  /** Frees every cache tensor, and the cache's pool slot if it has one. */
  @Override
  public void close() {
    if (pool != null) {
      pool.release(this);
    }
    manager.close();
  }
}
