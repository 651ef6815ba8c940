package dev.parlance.tts.core.model.t5;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import dev.parlance.tts.core.checkpoint.CheckpointException;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.kernel.Projection;
import dev.parlance.tts.core.kernel.WeightFormat;
import dev.parlance.tts.core.kernel.WeightPacker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The T5 encoder stack (transformers' {@code T5EncoderModel}) that turns description token ids into
 * the hidden states Parler's decoder cross-attends to:
 *
 * <pre>
 *   x = shared[ids]                                   (B, S, D_t), no scaling
 *   bias = relative_position_bias(S) + key_mask       (B, H, S, S), computed once for all blocks
 *   for each block: x = x + SelfAttention(RMS(x), bias); x = x + FFN(RMS(x))
 *   out = final_layer_norm(x)
 * </pre>
 *
 * Weights are read once, the RMSNorm weights folded into the projections that follow them, and kept
 * on one device in one {@link WeightFormat}. Thread-safe: {@link #encode} only reads weights.
 */
public final class T5Encoder implements AutoCloseable {

  private final T5Config config;
  private final NDManager manager;
  private final NDArray embedding; // shared.weight (V, D)
  private final RelativePositionBias positionBias;
  private final T5Attention[] attention;
  private final T5FeedForward[] feedForward;
  private final NDArray finalNorm; // encoder.final_layer_norm.weight (D)
  private final float eps;

  private T5Encoder(
      T5Config config,
      NDManager manager,
      NDArray embedding,
      RelativePositionBias positionBias,
      T5Attention[] attention,
      T5FeedForward[] feedForward,
      NDArray finalNorm) {
    this.config = config;
    this.manager = manager;
    this.embedding = embedding;
    this.positionBias = positionBias;
    this.attention = attention;
    this.feedForward = feedForward;
    this.finalNorm = finalNorm;
    this.eps = (float) config.layerNormEpsilon();
  }

  /**
   * Loads the encoder weights {@code <prefix>shared.weight} (or the tied {@code
   * <prefix>encoder.embed_tokens.weight}) and {@code <prefix>encoder.*}.
   *
   * @param prefix {@code "text_encoder."} in a Parler checkpoint, {@code ""} for a bare T5
   * @param manager the weights live in a child of it, on its device
   * @param format format of the projection weights; hidden states are float32 except with float16
   *     (not recommended: flan-T5 activations overflow fp16; bfloat16 weights are safe)
   * @throws CheckpointException tensors are missing (all are listed) or have the wrong shape
   */
  public static T5Encoder load(
      TensorSource weights,
      String prefix,
      T5Config config,
      NDManager manager,
      WeightFormat format) {
    Objects.requireNonNull(weights, "weights");
    Objects.requireNonNull(config, "config");
    Objects.requireNonNull(format, "format");
    NDManager owned = manager.newSubManager();
    try (Weights w = new Weights(weights, prefix, config, manager, owned, format)) {
      w.checkPresent();
      int d = config.dModel();
      int inner = config.innerDim();
      int ff = config.dFf();
      float eps = (float) config.layerNormEpsilon();
      NDArray embedding = w.keep(w.tensor(w.embeddingName(), config.vocabSize(), d));
      w.releaseTemporaries();
      String bias = "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight";
      w.tensor(bias, config.relativeAttentionNumBuckets(), config.numHeads()).close();
      RelativePositionBias positionBias =
          new RelativePositionBias(
              weights.readFloats(prefix + bias),
              config.relativeAttentionNumBuckets(),
              config.relativeAttentionMaxDistance(),
              config.numHeads());
      T5Attention[] attention = new T5Attention[config.numLayers()];
      T5FeedForward[] feedForward = new T5FeedForward[config.numLayers()];
      for (int i = 0; i < config.numLayers(); i++) {
        String att = "encoder.block." + i + ".layer.0.";
        String norm0 = att + "layer_norm.weight";
        attention[i] =
            new T5Attention(
                w.project(w.foldNorm(w.tensor(att + "SelfAttention.q.weight", inner, d), norm0)),
                w.project(w.foldNorm(w.tensor(att + "SelfAttention.k.weight", inner, d), norm0)),
                w.project(w.foldNorm(w.tensor(att + "SelfAttention.v.weight", inner, d), norm0)),
                w.project(w.tensor(att + "SelfAttention.o.weight", d, inner)),
                config.numHeads(),
                config.dKv(),
                eps);

        String ffn = "encoder.block." + i + ".layer.1.";
        String dense = ffn + "DenseReluDense.";
        String norm1 = ffn + "layer_norm.weight";
        Projection wi0 =
            config.gatedAct()
                ? w.project(w.foldNorm(w.tensor(dense + "wi_0.weight", ff, d), norm1))
                : null;
        String wiName = config.gatedAct() ? "wi_1.weight" : "wi.weight";
        feedForward[i] =
            new T5FeedForward(
                wi0,
                w.project(w.foldNorm(w.tensor(dense + wiName, ff, d), norm1)),
                w.project(w.tensor(dense + "wo.weight", d, ff)),
                config.denseActFn(),
                eps);
        w.releaseTemporaries(); // peak memory: the kept weights plus one block's raw tensors
      }
      NDArray finalNorm = w.keep(w.tensor("encoder.final_layer_norm.weight", d));
      return new T5Encoder(
          config, owned, embedding, positionBias, attention, feedForward, finalNorm);
    } catch (RuntimeException e) {
      owned.close();
      throw e;
    }
  }

  /** The configuration this encoder was built from. */
  public T5Config config() {
    return config;
  }

  /** Device the weights live on. */
  public Device device() {
    return manager.getDevice();
  }

  /**
   * Encodes a batch of descriptions.
   *
   * @param inputIds (B, S) int64 token ids, right-padded
   * @param attentionMask (B, S) 1 for tokens, 0 for padding
   * @return the last hidden state (B, S, D_t), float32, on {@link #device()}, attached to {@code
   *     inputIds}' manager; rows at padded positions are not zeroed
   */
  public NDArray encode(NDArray inputIds, NDArray attentionMask) {
    Shape shape = inputIds.getShape();
    if (shape.dimension() != 2 || shape.size() == 0 || !shape.equals(attentionMask.getShape())) {
      throw new IllegalArgumentException(
          "inputIds and attentionMask must both be non-empty (batch, length), got "
              + shape
              + " and "
              + attentionMask.getShape());
    }
    long batch = shape.get(0);
    int length = Math.toIntExact(shape.get(1));
    NDManager caller = inputIds.getManager();
    try (NDManager scope = caller.newSubManager(device())) {
      scope.tempAttachAll(inputIds, attentionMask);
      checkIds(inputIds);
      NDArray ids = inputIds.toDevice(device(), false);
      NDArray mask = attentionMask.toDevice(device(), false);
      // additive key mask: 0 for tokens, finfo(float32).min for padding, as the reference
      NDArray keyMask =
          mask.toType(DataType.FLOAT32, false)
              .sub(1f)
              .mul(Float.MAX_VALUE)
              .reshape(batch, 1, 1, length);
      NDArray bias = positionBias.forLength(length, scope).add(keyMask); // (B, H, S, S)

      NDArray x =
          ids.getNDArrayInternal()
              .embedding(ids, embedding, SparseFormat.DENSE)
              .singletonOrThrow(); // (B, S, D)
      for (int i = 0; i < attention.length; i++) {
        x = attention[i].forward(x, bias);
        x = feedForward[i].forward(x);
      }
      NDArray out = T5LayerNorm.normalize(x, eps).mul(finalNorm).toType(DataType.FLOAT32, false);
      out.attach(caller);
      return out;
    }
  }

  /** Out-of-range ids would fail deep in the embedding lookup with an opaque native error. */
  private void checkIds(NDArray inputIds) {
    if (inputIds.getDataType() != DataType.INT64 && inputIds.getDataType() != DataType.INT32) {
      throw new IllegalArgumentException("inputIds must be int64, got " + inputIds.getDataType());
    }
    long min = inputIds.min().toType(DataType.INT64, false).getLong();
    long max = inputIds.max().toType(DataType.INT64, false).getLong();
    if (min < 0 || max >= config.vocabSize()) {
      throw new IllegalArgumentException(
          "token ids must lie in [0, "
              + config.vocabSize()
              + ") (text_encoder.vocab_size), got ids from "
              + min
              + " to "
              + max
              + ": is the description tokenizer the one of this text encoder?");
    }
  }

  /** Frees the weights. */
  @Override
  public void close() {
    manager.close();
  }

  /** Reads, checks and converts the encoder's tensors. */
  private static final class Weights implements AutoCloseable {
    private final TensorSource source;
    private final String prefix;
    private final T5Config config;
    private final NDManager parent;
    private final NDManager owned;
    private final DataType dtype;
    private final WeightPacker packer;
    private NDManager loading; // raw and intermediate tensors, freed block by block

    Weights(
        TensorSource source,
        String prefix,
        T5Config config,
        NDManager parent,
        NDManager owned,
        WeightFormat format) {
      this.source = source;
      this.prefix = prefix;
      this.config = config;
      this.parent = parent;
      this.owned = owned;
      this.dtype = format.activations();
      this.packer = new WeightPacker(owned, format);
      this.loading = parent.newSubManager();
    }

    /** Frees every tensor read so far that was not kept. */
    void releaseTemporaries() {
      loading.close();
      loading = parent.newSubManager();
    }

    @Override
    public void close() {
      loading.close();
    }

    /**
     * {@code shared.weight}, or the tied {@code encoder.embed_tokens.weight} if only it is stored.
     */
    String embeddingName() {
      return !source.contains(prefix + "shared.weight")
              && source.contains(prefix + "encoder.embed_tokens.weight")
          ? "encoder.embed_tokens.weight"
          : "shared.weight";
    }

    /** Fails with every missing tensor name at once. */
    void checkPresent() {
      List<String> required = new ArrayList<>();
      required.add(embeddingName());
      required.add("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight");
      for (int i = 0; i < config.numLayers(); i++) {
        String block = "encoder.block." + i + ".layer.";
        for (String p : List.of("q", "k", "v", "o")) {
          required.add(block + "0.SelfAttention." + p + ".weight");
        }
        required.add(block + "0.layer_norm.weight");
        List<String> ffn = config.gatedAct() ? List.of("wi_0", "wi_1", "wo") : List.of("wi", "wo");
        for (String p : ffn) {
          required.add(block + "1.DenseReluDense." + p + ".weight");
        }
        required.add(block + "1.layer_norm.weight");
      }
      required.add("encoder.final_layer_norm.weight");
      List<String> missing =
          required.stream().map(n -> prefix + n).filter(n -> !source.contains(n)).toList();
      if (!missing.isEmpty()) {
        throw new CheckpointException(
            "T5 encoder: " + missing.size() + " tensor(s) missing: " + String.join(", ", missing));
      }
    }

    /** Loads {@code prefix + name} as fp32 in the loading scope, checking its shape. */
    NDArray tensor(String name, long... expected) {
      NDArray t = source.load(prefix + name, loading);
      if (!t.getShape().equals(new Shape(expected))) {
        throw new CheckpointException(
            "T5 encoder: "
                + prefix
                + name
                + " has shape "
                + t.getShape()
                + ", config.json text_encoder expects "
                + Arrays.toString(expected));
      }
      return t.toType(DataType.FLOAT32, false);
    }

    /** Scales a projection's input columns by the RMSNorm weight that precedes it. */
    NDArray foldNorm(NDArray projection, String normName) {
      NDArray norm = tensor(normName, config.dModel());
      return projection.mul(norm.reshape(1, config.dModel()));
    }

    /** A projection weight in the encoder's format, handed to the encoder. */
    Projection project(NDArray t) {
      return packer.pack(t);
    }

    /** Converts to the compute dtype and hands the array to the encoder. */
    NDArray keep(NDArray t) {
      NDArray kept = t.toType(dtype, false);
      kept.attach(owned);
      return kept;
    }
  }
}
