package dev.parlance.tts.core.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/**
 * The keys/values of every row of a continuous batch in one tensor per layer, so a {@link
 * ParlerDecoder#stepRows} step attends for all rows with one matmul/softmax/matmul instead of one
 * set per row. Each row owns a slot: self keys (slots, kv, d_h, capacity), self values (slots, kv,
 * capacity, d_h), cross keys (slots, kv_cross, d_h, S) and values (slots, kv_cross, S, d_h), with S
 * the longest description. A step reads positions [0, longest row) of every slot it touches and
 * hides each row's unfilled or padded positions (and padded description tokens) with an additive
 * finite mask, so masked scores exp to exactly 0 and the padded softmax equals the unpadded one.
 *
 * <p>A row is prefilled alone in its own {@link KvCache}; the first {@code stepRows} that sees it
 * copies its filled positions into the lowest free slot and frees the cache's own tensors. Closing
 * the cache frees the slot; no other row moves. Capacity, slot count and S grow on demand
 * (doubling, capacity never past the largest row's own capacity), and when the last row leaves
 * every tensor is freed. Tensors start zeroed and only ever hold finite values, so masked positions
 * cannot turn a score into NaN.
 *
 * <p>Not thread-safe: one scheduler thread steps the pool and closes its rows' caches.
 */
public final class KvPool implements AutoCloseable {
  private static final int MIN_CAPACITY = 64;

  private final NDManager manager;
  private final DataType dtype;
  private final float maskValue;
  private final int kv;
  private final int kvCross;
  private final int headDim;
  final NDArray[] keysT;
  final NDArray[] values;
  final NDArray[] crossKeysT;
  final NDArray[] crossValues;
  private KvCache[] occupants = new KvCache[0];
  private int capacity;
  private int crossLength;

  KvPool(NDManager manager, DecoderConfig config, DataType dtype, float maskValue) {
    this.manager = manager;
    this.dtype = dtype;
    this.maskValue = maskValue;
    this.kv = config.numKeyValueHeads();
    this.kvCross = config.numCrossKeyValueHeads();
    this.headDim = config.headDim();
    int layers = config.numLayers();
    this.keysT = new NDArray[layers];
    this.values = new NDArray[layers];
    this.crossKeysT = new NDArray[layers];
    this.crossValues = new NDArray[layers];
  }

  /** Rows holding a slot. */
  public int rows() {
    int n = 0;
    for (KvCache c : occupants) {
      n += c == null ? 0 : 1;
    }
    return n;
  }

  /** Slots allocated (held or free). */
  public int slots() {
    return occupants.length;
  }

  /** Positions every slot can hold. */
  public int capacity() {
    return capacity;
  }

  /** Bytes the pool's tensors hold. */
  public long bytes() {
    long total = 0;
    for (NDArray[] perLayer : new NDArray[][] {keysT, values, crossKeysT, crossValues}) {
      for (NDArray a : perLayer) {
        total += KvCache.bytes(a);
      }
    }
    return total;
  }

  /**
   * Moves a prefilled batch-1 cache into the lowest free slot: its filled self keys/values and its
   * cross keys/values are copied, then its own tensors are closed.
   */
  void admit(KvCache cache) {
    int slot = 0;
    while (slot < occupants.length && occupants[slot] != null) {
      slot++;
    }
    int s = Math.toIntExact(cache.crossKeysT[0].getShape().get(3));
    grow(slot + 1, Math.max(cache.length, 1), s, Math.max(cache.capacity, rowCapacity()));
    int len = cache.length;
    for (int i = 0; i < keysT.length; i++) {
      if (len > 0) { // views: closed here so they do not keep the cache's storage alive
        try (NDArray k = cache.selfKeysT[i].get(new NDIndex(":, :, :, :{}", len));
            NDArray v = cache.selfValues[i].get(new NDIndex(":, :, :{}, :", len))) {
          keysT[i].set(new NDIndex("{}:{}, :, :, :{}", slot, slot + 1, len), k);
          values[i].set(new NDIndex("{}:{}, :, :{}, :", slot, slot + 1, len), v);
        }
      }
      crossKeysT[i].set(new NDIndex("{}:{}, :, :, :{}", slot, slot + 1, s), cache.crossKeysT[i]);
      crossValues[i].set(new NDIndex("{}:{}, :, :{}, :", slot, slot + 1, s), cache.crossValues[i]);
      for (NDArray[] own :
          new NDArray[][] {
            cache.selfKeysT, cache.selfValues, cache.crossKeysT, cache.crossValues
          }) {
        own[i].close();
        own[i] = null;
      }
    }
    cache.pool = this;
    cache.slot = slot;
    cache.crossLength = s;
    occupants[slot] = cache;
  }

  /** Frees the cache's slot; frees every tensor when it was the last row. */
  void release(KvCache cache) {
    if (cache.slot >= 0 && cache.slot < occupants.length && occupants[cache.slot] == cache) {
      occupants[cache.slot] = null;
    }
    cache.slot = -1;
    if (rows() == 0) {
      clear();
    }
  }

  /**
   * Grows the tensors to hold {@code slots} slots, {@code positions} positions and S = {@code
   * cross}. Capacity doubles but never past {@code limit}, the most any row may fill, so the pool
   * takes no more positions than the rows' own caches would.
   */
  private void grow(int slots, int positions, int cross, int limit) {
    int newSlots = occupants.length;
    while (newSlots < slots) {
      newSlots = Math.max(1, newSlots * 2);
    }
    int newCapacity = capacity;
    if (newCapacity < positions) {
      newCapacity = Math.min(limit, Math.max(MIN_CAPACITY, Math.max(positions, capacity * 2)));
    }
    int newCross = Math.max(crossLength, cross);
    if (newSlots == occupants.length && newCapacity == capacity && newCross == crossLength) {
      return;
    }
    for (int i = 0; i < keysT.length; i++) {
      keysT[i] = regrow(keysT[i], new Shape(newSlots, kv, headDim, newCapacity), capacity, true);
      values[i] = regrow(values[i], new Shape(newSlots, kv, newCapacity, headDim), capacity, false);
      crossKeysT[i] =
          regrow(crossKeysT[i], new Shape(newSlots, kvCross, headDim, newCross), crossLength, true);
      crossValues[i] =
          regrow(
              crossValues[i], new Shape(newSlots, kvCross, newCross, headDim), crossLength, false);
    }
    KvCache[] grown = new KvCache[newSlots];
    System.arraycopy(occupants, 0, grown, 0, occupants.length);
    occupants = grown;
    capacity = newCapacity;
    crossLength = newCross;
  }

  /** A zeroed tensor of {@code shape} holding {@code old}'s content (positions last or third). */
  private NDArray regrow(NDArray old, Shape shape, int oldLength, boolean positionsLast) {
    NDArray grown = manager.zeros(shape, dtype);
    if (old != null) {
      long slots = old.getShape().get(0);
      grown.set(
          positionsLast
              ? new NDIndex(":{}, :, :, :{}", slots, oldLength)
              : new NDIndex(":{}, :, :{}, :", slots, oldLength),
          old);
      old.close();
    }
    return grown;
  }

  /** The largest capacity of the rows holding slots. */
  private int rowCapacity() {
    int max = 0;
    for (KvCache c : occupants) {
      max = c == null ? max : Math.max(max, c.capacity);
    }
    return max;
  }

  private void clear() {
    for (NDArray[] arrays : new NDArray[][] {keysT, values, crossKeysT, crossValues}) {
      for (int i = 0; i < arrays.length; i++) {
        if (arrays[i] != null) {
          arrays[i].close();
          arrays[i] = null;
        }
      }
    }
    occupants = new KvCache[0];
    capacity = 0;
    crossLength = 0;
  }

  /**
   * Sizes, write indices and masks of one step over {@code rows} (pooled caches of batch 1, sorted
   * by slot, each about to write its position {@code length}).
   */
  Step prepare(KvCache[] rows, NDManager step) {
    int r = rows.length;
    int lo = rows[0].slot;
    int hi = rows[r - 1].slot + 1;
    int n = hi - lo;
    int selfLength = 0;
    int cross = 0;
    for (KvCache c : rows) {
      selfLength = Math.max(selfLength, c.length + 1);
      cross = Math.max(cross, c.crossLength);
    }
    grow(hi, selfLength, cross, rowCapacity());
    // rows of slots in [lo, hi) that do not step this time (holes) see everything: finite garbage
    float[] selfMask = new float[n * selfLength];
    float[] crossMask = new float[n * cross];
    long[] slotIds = new long[r];
    long[] positions = new long[r];
    long[] spread = new long[n]; // slot row -> batch row (holes copy row 0)
    long[] gather = new long[r]; // batch row -> slot row
    for (int i = 0; i < r; i++) {
      KvCache c = rows[i];
      int row = c.slot - lo;
      slotIds[i] = c.slot;
      positions[i] = c.length;
      spread[row] = i;
      gather[i] = row;
      for (int j = 0; j < selfLength; j++) {
        boolean visible = j <= c.length && c.keyValid[0][j];
        selfMask[row * selfLength + j] = visible ? 0f : maskValue;
      }
      for (int j = 0; j < cross; j++) {
        boolean visible = j < c.crossLength && c.descriptionValid[0][j];
        crossMask[row * cross + j] = visible ? 0f : maskValue;
      }
    }
    boolean holes = n > r;
    return new Step(
        lo,
        hi,
        selfLength,
        cross,
        step.create(slotIds),
        step.create(positions),
        mask(selfMask, n, selfLength, step),
        mask(crossMask, n, cross, step),
        holes ? step.create(spread) : null,
        holes ? step.create(gather) : null);
  }

  private NDArray mask(float[] values, int n, int length, NDManager step) {
    NDArray a = step.create(values, new Shape(n, 1, 1, length));
    return a.getDataType() == dtype ? a : a.toType(dtype, false);
  }

  /** Frees every tensor; caches still holding slots must not be stepped again. */
  @Override
  public void close() {
    for (KvCache c : occupants) {
      if (c != null) {
        c.slot = -1;
      }
    }
    clear();
    manager.close();
  }

  /**
   * One pooled step: the slot window [lo, hi) it reads and its lengths, where each row's new
   * key/value goes (its slot and position), the additive masks (hi - lo, 1, 1, length), and, when
   * the window has slots that do not step, the index maps between batch rows and slot rows.
   *
   * @param selfLength T: positions read, the longest row's length after this step
   * @param crossLength S: description tokens read
   * @param slotIds (R) each row's slot
   * @param positions (R) each row's new position
   * @param spread batch rows (R) to slot rows (hi - lo), null without holes
   * @param gather slot rows back to batch rows, null without holes
   */
  record Step(
      int lo,
      int hi,
      int selfLength,
      int crossLength,
      NDArray slotIds,
      NDArray positions,
      NDArray selfMask,
      NDArray crossMask,
      NDArray spread,
      NDArray gather) {}
}
