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
  private final NDArray heads; // (K*V, H)
  private final float maskValue;

  private ParlerDecoder(
      DecoderConfig config,
      DataType dtype,
      NDArray embeddings,
      NDArray positions,
      NDArray ropeCos,
      NDArray ropeSin,
      DecoderLayer[] layers,
      NDArray finalNormWeight,
      NDArray finalNormBias,
      NDArray heads) {
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
    // finfo(dtype).min, as the reference's additive masks: fully masked rows stay finite
    this.maskValue = dtype == DataType.FLOAT16 ? -65504f : -Float.MAX_VALUE;
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
      heads = r.compute(prefix + "lm_heads.weight", (long) k * c.vocabSize(), h);
    } else {
      NDArray[] parts = new NDArray[k];
      for (int i = 0; i < k; i++) {
        parts[i] = r.float32(prefix + "lm_heads." + i + ".weight", c.vocabSize(), h);
      }
      heads = r.toCompute(concatAndClose(parts));
    }
    return new ParlerDecoder(
        c,
        r.computeType(),
        embeddings,
        positions,
        ropeCos,
        ropeSin,
        layers,
        r.compute(p + "layer_norm.weight", h),
        r.compute(p + "layer_norm.bias", h),
        heads);
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
    KvCache cache = new KvCache(manager, b, capacity, layers.length, crossMask, valid, selfKeyMask);
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
   * step, the prompt prefix in front of them) and returns the last position's logits as host
   * floats, row-major (B*K, V) with row = b*K + k.
   *
   * @param prefix prompt embeddings (B,P,H) or null
   * @param ids token ids (B, m, K) flattened, row-major
   * @param step a scratch manager for this step's intermediates; the caller closes it
   */
  public float[] step(KvCache cache, NDArray prefix, long[] ids, int m, NDManager step) {
    NDArray hidden = forward(cache, prefix, ids, m, step);
    long b = cache.batch;
    long len = hidden.getShape().get(1);
    NDArray last = len == 1 ? hidden : hidden.get(new NDIndex(":, {}:", len - 1));
    return logits(last).toType(DataType.FLOAT32, false).toFloatArray();
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
    return DecoderLayer.linear(normed, heads);
  }

  private NDArray forward(KvCache cache, NDArray prefix, long[] ids, int m, NDManager step) {
    int b = cache.batch;
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
      rows[i] = id + (long) (i % k) * vocab;
    }
    NDArray idArray = step.create(rows, new Shape(b, m, k));
    NDArray x =
        Embedding.embedding(idArray, embeddings, SparseFormat.DENSE)
            .singletonOrThrow()
            .sum(new int[] {2});
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
    StepContext ctx =
        new StepContext(
            b,
            n,
            start,
            new NDIndex(":, :, :, {}:{}", start, end),
            new NDIndex(":, :, {}:{}, :", start, end),
            new NDIndex(":, :, :, :{}", end),
            new NDIndex(":, :, :{}, :", end),
            selfMask(cache, n, start, step),
            cos,
            sin);
    for (int i = 0; i < layers.length; i++) {
      x = layers[i].forward(x, cache, i, ctx);
    }
    cache.length = end;
    return x;
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

  /**
   * One decoding step for several independent requests at once (continuous batching): each cache
   * holds one request (batch 1) at its own length, and each request feeds one token column. The
   * weight-heavy parts (embeddings, projections, FFN, heads) run as one batched matmul over the R
   * rows; attention runs per row against that row's own cache, masks and positions, so a row's
   * result does not depend on which rows share the step. Returns host floats (R*K, V), row r's K
   * codebooks at rows r*K .. r*K+K-1.
   *
   * @param caches one batch-1 cache per row, each already prefilled
   * @param ids the rows' next input columns, (R, K) flattened
   * @param step a scratch manager for this step's intermediates; the caller closes it
   */
  public float[] stepRows(List<KvCache> caches, long[] ids, NDManager step) {
    int r = caches.size();
    int k = config.numCodebooks();
    if (ids.length != r * k) {
      throw new IllegalArgumentException(
          "expected " + (r * k) + " ids (R=" + r + ", K=" + k + "), got " + ids.length);
    }
    long[] rows = new long[ids.length];
    int vocab = config.embeddingRows();
    for (int i = 0; i < ids.length; i++) {
      if (ids[i] < 0 || ids[i] >= vocab) {
        throw new IllegalArgumentException("token id " + ids[i] + " outside [0, " + vocab + ")");
      }
      rows[i] = ids[i] + (long) (i % k) * vocab;
    }
    long[] positionIds = new long[r];
    for (int i = 0; i < r; i++) {
      KvCache c = caches.get(i);
      if (c.batch != 1) {
        throw new IllegalArgumentException("stepRows needs batch-1 caches, got " + c.batch);
      }
      if (c.length >= c.capacity) {
        throw new IllegalStateException("KV cache full: " + (c.length + 1) + " > " + c.capacity);
      }
      positionIds[i] = c.length;
    }
    NDArray x =
        Embedding.embedding(step.create(rows, new Shape(r, 1, k)), embeddings, SparseFormat.DENSE)
            .singletonOrThrow()
            .sum(new int[] {2}); // (R,1,H)
    NDArray at = step.create(positionIds, new Shape(r, 1));
    NDArray cos = null;
    NDArray sin = null;
    if (positions != null) {
      x = x.add(Embedding.embedding(at, positions, SparseFormat.DENSE).singletonOrThrow());
    } else {
      int dh = config.headDim();
      cos = Embedding.embedding(at, ropeCos, SparseFormat.DENSE).singletonOrThrow();
      sin = Embedding.embedding(at, ropeSin, SparseFormat.DENSE).singletonOrThrow();
      cos = cos.reshape(r, 1, 1, dh);
      sin = sin.reshape(r, 1, 1, dh);
    }
    RowsContext ctx =
        RowsContext.of(new StepContext(r, 1, -1, null, null, null, null, null, cos, sin), caches);
    for (int i = 0; i < layers.length; i++) {
      x = layers[i].forwardRows(x, i, ctx);
    }
    for (KvCache c : caches) {
      c.length++;
    }
    return logits(x).toType(DataType.FLOAT32, false).toFloatArray();
  }
}
