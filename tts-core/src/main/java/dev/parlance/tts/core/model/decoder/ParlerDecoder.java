package dev.parlance.tts.core.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.norm.LayerNorm;
import dev.parlance.tts.core.checkpoint.CheckpointException;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.checkpoint.WeightReader;
import dev.parlance.tts.core.kernel.Projection;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * The Parler-TTS decoder (checkpoint prefix {@code decoder.}): per-codebook token embeddings summed
 * into one input, sinusoidal or rotary positions, L pre-LN layers with causal self-attention (KV
 * cache) and cross-attention to the description, final LayerNorm and K LM heads.
 *
 * <p>Heads are stacked into one (K*V, H) matrix at load time whether the checkpoint stores them
 * fused ({@code lm_heads.weight}) or per codebook ({@code lm_heads.{k}.weight}); the K embedding
 * tables are stacked into one (K*(V+1), H) table so all codebooks are gathered in one op.
 */
public final class ParlerDecoder {
  private static final String MODEL = "model.decoder.";

  private final DecoderConfig config;
  private final DataType dtype;
  private final NDArray embeddings; // (K*(V+1), H)
  private final NDArray positions; // (max_pos, H), sinusoidal variant only
  private final NDArray ropeCos; // (max_pos, d_h), RoPE variant only
  private final NDArray ropeSin;
  private final DecoderLayer[] layers;
  private final NDArray finalNormWeight;
  private final NDArray finalNormBias;
  private final Projection heads; // (K*V, H)
  private final float maskValue;
  private final PooledStep pooledStep;

  private ParlerDecoder(
      DecoderConfig config,
      DataType dtype,
      NDArray embeddings,
      NDArray positions,
      NDArray ropeCos,
      NDArray ropeSin,
      NDArray rotate,
      DecoderLayer[] layers,
      NDArray finalNormWeight,
      NDArray finalNormBias,
      Projection heads,
      NDManager manager) {
    this.config = config;
    this.dtype = dtype;
    this.embeddings = embeddings;
    this.positions = positions;
    this.ropeCos = ropeCos;
    this.ropeSin = ropeSin;
    this.layers = layers;
    this.finalNormWeight = finalNormWeight;
    this.finalNormBias = finalNormBias;
    this.heads = heads;
    this.maskValue = maskValue(dtype);
    this.pooledStep =
        new PooledStep(
            config,
            new NDArray[] {
              embeddings, positions, ropeCos, ropeSin, rotate, finalNormWeight, finalNormBias
            },
            layers,
            heads,
            manager);
  }

  /**
   * The additive mask value: finfo(float32).min as the reference uses in fp32, so fully masked rows
   * (left-padded prompt positions) stay finite. float16 gets a value whose sum with any score
   * cannot overflow to -inf (which would turn such rows into NaN and poison the cache).
   */
  private static float maskValue(DataType dtype) {
    return dtype == DataType.FLOAT16 ? -30_000f : -Float.MAX_VALUE;
  }

  /** Every tensor name the decoder reads (the sinusoid table is optional and not listed). */
  public static List<String> tensorNames(String prefix, DecoderConfig c) {
    List<String> names = new ArrayList<>();
    String p = prefix + MODEL;
    for (int k = 0; k < c.numCodebooks(); k++) {
      names.add(p + "embed_tokens." + k + ".weight");
    }
    for (int i = 0; i < c.numLayers(); i++) {
      names.addAll(Arrays.asList(DecoderLayer.tensorNames(p + "layers." + i + ".")));
    }
    names.add(p + "layer_norm.weight");
    names.add(p + "layer_norm.bias");
    if (c.fusedLmHeads()) {
      names.add(prefix + "lm_heads.weight");
    } else {
      for (int k = 0; k < c.numCodebooks(); k++) {
        names.add(prefix + "lm_heads." + k + ".weight");
      }
    }
    return names;
  }

  /**
   * The config with the LM-head layout the checkpoint's key names show: {@code lm_heads.weight}
   * (fused) or {@code lm_heads.{k}.weight} (per codebook).
   *
   * @throws CheckpointException no decoder or no LM heads under {@code prefix}
   */
  public static DecoderConfig detectLayout(TensorSource source, String prefix, DecoderConfig c) {
    if (!source.contains(prefix + MODEL + "embed_tokens.0.weight")) {
      throw new CheckpointException(
          "unknown checkpoint layout: no "
              + prefix
              + MODEL
              + "embed_tokens.0.weight (not a Parler-TTS checkpoint?)");
    }
    boolean fused = source.contains(prefix + "lm_heads.weight");
    boolean separate = source.contains(prefix + "lm_heads.0.weight");
    if (fused == separate) {
      throw new CheckpointException(
          "unknown LM-head layout: expected either "
              + prefix
              + "lm_heads.weight (fused) or "
              + prefix
              + "lm_heads.{k}.weight, found "
              + (fused ? "both" : "neither"));
    }
    return fused == c.fusedLmHeads()
        ? c
        : new DecoderConfig(
            c.hiddenSize(),
            c.numLayers(),
            c.numHeads(),
            c.numKeyValueHeads(),
            c.numCrossKeyValueHeads(),
            c.ffnDim(),
            c.activation(),
            c.vocabSize(),
            c.numCodebooks(),
            c.maxPositions(),
            c.rope(),
            c.ropeTheta(),
            fused,
            c.eosTokenId(),
            c.bosTokenId());
  }

  /** Whether {@code name} is a decoder tensor this port may read (the sinusoid table included). */
  public static boolean accepts(String prefix, DecoderConfig c, String name) {
    return name.equals(prefix + MODEL + "embed_positions.weights")
        || tensorNames(prefix, c).contains(name);
  }

  /**
   * Loads the decoder weights under {@code prefix} (normally {@code "decoder."}) into {@code
   * reader}'s manager, converted to its compute dtype. Fails listing every missing tensor.
   */
  public static ParlerDecoder load(WeightReader r, String prefix, DecoderConfig c) {
    r.requireAll("decoder", tensorNames(prefix, c));
    NDManager m = r.manager();
    String p = prefix + MODEL;
    long h = c.hiddenSize();
    int k = c.numCodebooks();

    NDArray[] tables = new NDArray[k];
    for (int i = 0; i < k; i++) {
      tables[i] = r.float32(p + "embed_tokens." + i + ".weight", c.embeddingRows(), h);
    }
    NDArray embeddings = r.toCompute(concatAndClose(tables));

    NDArray positions = null;
    NDArray ropeCos = null;
    NDArray ropeSin = null;
    NDArray rotate = null;
    if (c.rope()) {
      int dh = c.headDim();
      ropeCos =
          m.create(
              PositionTables.rope(c.maxPositions(), dh, c.ropeTheta(), true),
              new Shape(c.maxPositions(), dh));
      ropeSin =
          m.create(
              PositionTables.rope(c.maxPositions(), dh, c.ropeTheta(), false),
              new Shape(c.maxPositions(), dh));
      ropeCos = r.toCompute(ropeCos);
      ropeSin = r.toCompute(ropeSin);
      rotate = r.toCompute(m.create(PositionTables.rotateHalf(dh), new Shape(dh, dh)));
    } else {
      String table = p + "embed_positions.weights";
      positions =
          r.source().contains(table)
              ? r.compute(table, c.maxPositions(), h)
              : r.toCompute(
                  m.create(
                      PositionTables.sinusoid(c.maxPositions(), c.hiddenSize()),
                      new Shape(c.maxPositions(), h)));
    }

    DecoderLayer[] layers = new DecoderLayer[c.numLayers()];
    for (int i = 0; i < layers.length; i++) {
      layers[i] = DecoderLayer.load(r, p + "layers." + i + ".", c, rotate);
    }
    NDArray heads;
    if (c.fusedLmHeads()) {
      heads = r.float32(prefix + "lm_heads.weight", (long) k * c.vocabSize(), h);
    } else {
      NDArray[] parts = new NDArray[k];
      for (int i = 0; i < k; i++) {
        parts[i] = r.float32(prefix + "lm_heads." + i + ".weight", c.vocabSize(), h);
      }
      heads = concatAndClose(parts);
    }
    return new ParlerDecoder(
        c,
        r.computeType(),
        embeddings,
        positions,
        ropeCos,
        ropeSin,
        rotate,
        layers,
        r.compute(p + "layer_norm.weight", h),
        r.compute(p + "layer_norm.bias", h),
        r.projection(heads),
        m);
  }

  private static NDArray concatAndClose(NDArray[] parts) {
    NDArray all = parts.length == 1 ? parts[0].duplicate() : NDArrays.concat(new NDList(parts), 0);
    for (NDArray part : parts) {
      part.close();
    }
    return all;
  }

  public DecoderConfig config() {
    return config;
  }

  /** What one request row needs in memory with this decoder's shape and dtype. */
  public RowMemory rowMemory() {
    return new RowMemory(config, dtype);
  }

  /**
   * Starts a request: allocates the self-attention cache for {@code capacity} positions (prompt
   * prefix included) and computes every layer's cross-attention keys/values.
   *
   * @param encoderStates E (B,S,H): the description after {@code enc_to_dec_proj} with padded rows
   *     zeroed
   * @param descriptionMask (B,S) 1 = token, 0 = pad
   * @param promptMask (B,P) 1 = token, 0 = pad; empty rows when there is no prompt prefix
   * @param manager owns the cache; closing the cache closes it
   */
  public KvCache newCache(
      NDArray encoderStates,
      long[][] descriptionMask,
      long[][] promptMask,
      int capacity,
      NDManager manager) {
    int b = Math.toIntExact(encoderStates.getShape().get(0));
    int s = Math.toIntExact(encoderStates.getShape().get(1));
    if (capacity > config.maxPositions()) {
      throw new IllegalArgumentException(
          "prompt plus max_length needs "
              + capacity
              + " positions; the decoder has "
              + config.maxPositions());
    }
    NDArray crossMask = null;
    boolean[][] descriptionValid = new boolean[b][s];
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < s; j++) {
        descriptionValid[i][j] = descriptionMask[i][j] != 0;
      }
    }
    if (hasZero(descriptionMask)) {
      float[] mask = new float[b * s];
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < s; j++) {
          mask[i * s + j] = descriptionMask[i][j] != 0 ? 0f : maskValue;
        }
      }
      crossMask = manager.create(mask, new Shape(b, 1, 1, s)).toType(dtype, false);
    }
    boolean[][] valid = new boolean[b][capacity];
    NDArray selfKeyMask = null;
    for (boolean[] row : valid) {
      Arrays.fill(row, true);
    }
    if (hasZero(promptMask)) {
      float[] mask = new float[b * capacity];
      for (int i = 0; i < b; i++) {
        for (int j = 0; j < promptMask[i].length; j++) {
          valid[i][j] = promptMask[i][j] != 0;
          mask[i * capacity + j] = valid[i][j] ? 0f : maskValue;
        }
      }
      selfKeyMask = manager.create(mask, new Shape(b, 1, 1, capacity)).toType(dtype, false);
    }
    KvCache cache =
        new KvCache(
            manager, b, capacity, layers.length, crossMask, valid, selfKeyMask, descriptionValid);
    int dh = config.headDim();
    int kv = config.numKeyValueHeads();
    NDArray states =
        encoderStates.getDataType() == dtype ? encoderStates : encoderStates.toType(dtype, false);
    for (int i = 0; i < layers.length; i++) {
      // uninitialised: only the filled part is ever read
      cache.selfKeysT[i] = manager.create(new Shape(b, kv, dh, capacity), dtype);
      cache.selfValues[i] = manager.create(new Shape(b, kv, capacity, dh), dtype);
      try (NDManager scratch = manager.newSubManager()) {
        states.tempAttach(scratch);
        layers[i].precomputeCross(cache, i, states);
        cache.crossKeysT[i].attach(manager);
        cache.crossValues[i].attach(manager);
      }
    }
    return cache;
  }

  private static boolean hasZero(long[][] mask) {
    for (long[] row : mask) {
      for (long v : row) {
        if (v == 0) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * One decoding step for every batch row: feeds {@code m} new token columns (and, on the first
   * step, the prompt prefix in front of them) and returns the last position's logits (B*K, V), row
   * = b*K + k, in the compute dtype on the device.
   *
   * @param prefix prompt embeddings (B,P,H) or null
   * @param ids token ids (B, m, K) flattened, row-major
   * @param step a scratch manager for this step's intermediates; the caller closes it
   */
  public NDArray step(KvCache cache, NDArray prefix, long[] ids, int m, NDManager step) {
    NDArray hidden = forward(cache, prefix, ids, m, step);
    long len = hidden.getShape().get(1);
    NDArray last = len == 1 ? hidden : hidden.get(new NDIndex(":, {}:", len - 1));
    return logits(last).reshape(-1, config.vocabSize());
  }

  /**
   * Logits for every fed position (teacher forcing): (B*K, positions, V) host floats, prompt
   * positions first.
   */
  public float[] allLogits(KvCache cache, NDArray prefix, long[] ids, int m, NDManager step) {
    NDArray hidden = forward(cache, prefix, ids, m, step);
    long b = cache.batch;
    long len = hidden.getShape().get(1);
    return logits(hidden)
        .reshape(b, len, config.numCodebooks(), config.vocabSize())
        .transpose(0, 2, 1, 3)
        .toType(DataType.FLOAT32, false)
        .toFloatArray();
  }

  private NDArray logits(NDArray hidden) {
    NDArray normed =
        LayerNorm.layerNorm(
                hidden,
                new Shape(config.hiddenSize()),
                finalNormWeight,
                finalNormBias,
                DecoderConfig.LAYER_NORM_EPS)
            .singletonOrThrow();
    return heads.apply(normed);
  }

  /** Sum of the K codebook embeddings of ids (B, m, K) flattened: (B, m, H). */
  private NDArray embed(long[] ids, int b, int m, NDManager step) {
    return Embedding.embedding(embeddingRows(ids, b, m, step), embeddings, SparseFormat.DENSE)
        .singletonOrThrow()
        .sum(new int[] {2});
  }

  /** ids (B, m, K) flattened as rows of the stacked embedding table, (B, m, K). */
  private NDArray embeddingRows(long[] ids, int b, int m, NDManager step) {
    int k = config.numCodebooks();
    if (ids.length != (long) b * m * k) {
      throw new IllegalArgumentException(
          "expected "
              + (b * m * k)
              + " ids (B="
              + b
              + ", m="
              + m
              + ", K="
              + k
              + "), got "
              + ids.length);
    }
    long[] rows = new long[ids.length];
    int vocab = config.embeddingRows();
    for (int i = 0; i < ids.length; i++) {
      long id = ids[i];
      if (id < 0 || id >= vocab) {
        throw new IllegalArgumentException("token id " + id + " outside [0, " + vocab + ")");
      }
      rows[i] = id + (long) (i % k) * vocab; // row of codebook k's table in the stacked one
    }
    return step.create(rows, new Shape(b, m, k));
  }

  private NDArray forward(KvCache cache, NDArray prefix, long[] ids, int m, NDManager step) {
    if (cache.pool != null) {
      throw new IllegalStateException("the cache moved into a KvPool: step it with stepRows");
    }
    int b = cache.batch;
    NDArray x = embed(ids, b, m, step);
    if (prefix != null) {
      NDArray p = prefix.getDataType() == dtype ? prefix : prefix.toType(dtype, false);
      x = NDArrays.concat(new NDList(p, x), 1);
      x.attach(step);
    }
    int n = Math.toIntExact(x.getShape().get(1));
    int start = cache.length;
    int end = start + n;
    if (end > cache.capacity) {
      throw new IllegalStateException("KV cache full: " + end + " > " + cache.capacity);
    }
    NDArray cos = null;
    NDArray sin = null;
    if (positions != null) {
      x = x.add(positions.get(step, new NDIndex("{}:{}", start, end)));
    } else {
      int dh = config.headDim();
      cos = ropeCos.get(step, new NDIndex("{}:{}", start, end)).reshape(1, n, 1, dh);
      sin = ropeSin.get(step, new NDIndex("{}:{}", start, end)).reshape(1, n, 1, dh);
    }
    StepContext ctx = context(b, n, start, selfMask(cache, n, start, step), cos, sin);
    for (int i = 0; i < layers.length; i++) {
      x = layers[i].forward(x, cache, i, ctx);
    }
    cache.length = end;
    return x;
  }

  private static StepContext context(
      int b, int n, int start, NDArray mask, NDArray cos, NDArray sin) {
    int end = start + n;
    return new StepContext(
        b,
        n,
        start,
        new NDIndex(":, :, :, {}:{}", start, end),
        new NDIndex(":, :, {}:{}, :", start, end),
        new NDIndex(":, :, :, :{}", end),
        new NDIndex(":, :, :{}, :", end),
        mask,
        cos,
        sin);
  }

  /**
   * A pool for the caches of {@link #stepRows}: its tensors live in {@code manager}, which closing
   * the pool closes.
   */
  public KvPool newPool(NDManager manager) {
    return new KvPool(manager, config, dtype, maskValue);
  }

  /**
   * One step for R independent requests at once (continuous batching): each cache has batch 1 and
   * its own length, so rows sit at different positions. Projections, FFN and heads read the weights
   * once for all rows, and attention runs once for all rows over {@code pool}, each row masked to
   * its own positions. Every layer runs inside one TorchScript call ({@link PooledStep}). A cache
   * not yet in the pool (fresh from its prefill {@link #step}) moves into a free slot first;
   * closing it frees the slot. A row's logits do not depend on the other rows beyond float
   * rounding.
   *
   * @param ids each row's next column, (R, K) flattened
   * @return logits (R*K, V), row = r*K + k, in the compute dtype on the device
   */
  public NDArray stepRows(KvPool pool, KvCache[] caches, long[] ids, NDManager step) {
    int r = caches.length;
    int k = config.numCodebooks();
    if (ids.length != (long) r * k) {
      throw new IllegalArgumentException(
          "expected " + (r * k) + " ids (R=" + r + ", K=" + k + "), got " + ids.length);
    }
    for (KvCache c : caches) {
      if (c.batch != 1) {
        throw new IllegalArgumentException("stepRows needs caches of batch 1, got " + c.batch);
      }
      if (c.length + 1 > c.capacity) {
        throw new IllegalStateException("KV cache full: " + (c.length + 1) + " > " + c.capacity);
      }
      if (c.pool != null && (c.pool != pool || c.slot < 0)) {
        throw new IllegalArgumentException("a cache belongs to another (or a closed) KvPool");
      }
    }
    for (KvCache c : caches) {
      if (c.pool == null) {
        pool.admit(c);
      }
    }
    // rows in slot order, so the step reads one contiguous slot range
    Integer[] order = new Integer[r];
    for (int i = 0; i < r; i++) {
      order[i] = i;
    }
    Arrays.sort(order, (a, c) -> Integer.compare(caches[a].slot, caches[c].slot));
    KvCache[] sorted = new KvCache[r];
    long[] sortedIds = new long[ids.length];
    for (int i = 0; i < r; i++) {
      sorted[i] = caches[order[i]];
      if (i > 0 && sorted[i].slot == sorted[i - 1].slot) {
        throw new IllegalArgumentException("the same cache twice in one step");
      }
      System.arraycopy(ids, order[i] * k, sortedIds, i * k, k);
    }
    KvPool.Step rows = pool.prepare(sorted, step);
    NDArray bySlot = pooledStep.run(embeddingRows(sortedIds, r, 1, step), pool, rows, step);
    for (KvCache c : caches) {
      c.length++;
    }
    long[] slotOf = new long[r]; // caller row i sits at sorted position slotOf[i]
    boolean inOrder = true;
    for (int i = 0; i < r; i++) {
      slotOf[order[i]] = i;
      inOrder &= order[i] == i;
    }
    NDArray byRow = inOrder ? bySlot : bySlot.get(step.create(slotOf));
    return byRow.reshape(-1, config.vocabSize());
  }

  /**
   * The additive self-attention mask for n new positions starting at {@code start}: causal, and
   * padded prompt keys hidden. Rows follow the grouped query layout (rep*n rows, query i at r*n+i).
   */
  private NDArray selfMask(KvCache cache, int n, int start, NDManager step) {
    int end = start + n;
    if (n == 1) {
      return cache.selfKeyMask == null
          ? null
          : cache.selfKeyMask.get(step, new NDIndex(":, :, :, :{}", end));
    }
    int b = cache.batch;
    int rep = config.numHeads() / config.numKeyValueHeads();
    float[] mask = new float[b * rep * n * end];
    for (int bi = 0; bi < b; bi++) {
      for (int r = 0; r < rep; r++) {
        for (int i = 0; i < n; i++) {
          int row = ((bi * rep + r) * n + i) * end;
          for (int j = 0; j < end; j++) {
            boolean visible = j <= start + i && cache.keyValid[bi][j];
            mask[row + j] = visible ? 0f : maskValue;
          }
        }
      }
    }
    NDArray a = step.create(mask, new Shape(b, 1, (long) rep * n, end));
    return a.getDataType() == dtype ? a : a.toType(dtype, false);
  }
}
