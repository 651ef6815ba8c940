package dev.parlance.tts.core.model.decoder;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Activation;
import ai.djl.nn.norm.LayerNorm;
import dev.parlance.tts.core.checkpoint.WeightReader;
import dev.parlance.tts.core.kernel.Projection;

/**
 * One pre-LayerNorm decoder layer: causal self-attention over the KV cache, cross-attention over
 * the description, FFN. Checkpoint prefix {@code decoder.model.decoder.layers.{i}.}.
 *
 * <p>Load-time folding keeps the op count per step low: q/k/v are one matmul, the query scale
 * d_h^-0.5 is folded into the query weights, and cross-attention keys/values are one matmul run
 * once per request.
 *
 * <p>This is the layer on one {@link KvCache} (prefill, and batches that share a position). The
 * continuous-batching step runs the same math for every layer in one TorchScript call ({@link
 * PooledStep}); {@code DecoderKvPoolTest} holds the two together.
 */
final class DecoderLayer {
  private final DecoderConfig config;
  private final Shape normShape;
  private final NDArray selfNormWeight; // (H)
  private final NDArray selfNormBias;
  private final Projection qkv; // (H + 2 * kv * d_h, H), q rows pre-scaled
  private final Projection selfOut; // (H, H)
  private final NDArray crossNormWeight;
  private final NDArray crossNormBias;
  private final Projection crossQuery; // (H, H), pre-scaled
  private final Projection crossKv; // (2 * kv_cross * d_h, H)
  private final Projection crossOut; // (H, H)
  private final NDArray ffnNormWeight;
  private final NDArray ffnNormBias;
  private final Projection fc1; // (F, H)
  private final Projection fc2; // (H, F)
  private final NDArray rotateHalf; // (d_h, d_h) or null

  private DecoderLayer(DecoderConfig config, NDArray[] norms, Projection[] p, NDArray rotateHalf) {
    this.config = config;
    this.normShape = new Shape(config.hiddenSize());
    this.selfNormWeight = norms[0];
    this.selfNormBias = norms[1];
    this.crossNormWeight = norms[2];
    this.crossNormBias = norms[3];
    this.ffnNormWeight = norms[4];
    this.ffnNormBias = norms[5];
    this.qkv = p[0];
    this.selfOut = p[1];
    this.crossQuery = p[2];
    this.crossKv = p[3];
    this.crossOut = p[4];
    this.fc1 = p[5];
    this.fc2 = p[6];
    this.rotateHalf = rotateHalf;
  }

  /** The tensor names of layer {@code i} under {@code prefix}. */
  static String[] tensorNames(String p) {
    return new String[] {
      p + "self_attn_layer_norm.weight",
      p + "self_attn_layer_norm.bias",
      p + "self_attn.q_proj.weight",
      p + "self_attn.k_proj.weight",
      p + "self_attn.v_proj.weight",
      p + "self_attn.out_proj.weight",
      p + "encoder_attn_layer_norm.weight",
      p + "encoder_attn_layer_norm.bias",
      p + "encoder_attn.q_proj.weight",
      p + "encoder_attn.k_proj.weight",
      p + "encoder_attn.v_proj.weight",
      p + "encoder_attn.out_proj.weight",
      p + "final_layer_norm.weight",
      p + "final_layer_norm.bias",
      p + "fc1.weight",
      p + "fc2.weight"
    };
  }

  /** LayerNorm weights and biases: self-attention, cross-attention, FFN. */
  NDArray[] norms() {
    return new NDArray[] {
      selfNormWeight, selfNormBias, crossNormWeight, crossNormBias, ffnNormWeight, ffnNormBias
    };
  }

  /**
   * The products every step runs, in {@link PooledStep}'s order: qkv, self out, cross query, cross
   * out, fc1, fc2.
   */
  Projection[] stepProjections() {
    return new Projection[] {qkv, selfOut, crossQuery, crossOut, fc1, fc2};
  }

  static DecoderLayer load(WeightReader r, String p, DecoderConfig c, NDArray rotateHalf) {
    long h = c.hiddenSize();
    long kv = (long) c.numKeyValueHeads() * c.headDim();
    long kvx = (long) c.numCrossKeyValueHeads() * c.headDim();
    float scale = (float) Math.pow(c.headDim(), -0.5);
    NDArray[] norms = {
      r.compute(p + "self_attn_layer_norm.weight", h),
      r.compute(p + "self_attn_layer_norm.bias", h),
      r.compute(p + "encoder_attn_layer_norm.weight", h),
      r.compute(p + "encoder_attn_layer_norm.bias", h),
      r.compute(p + "final_layer_norm.weight", h),
      r.compute(p + "final_layer_norm.bias", h)
    };
    Projection[] projections = {
      r.projection(
          fuse(
              scaled(r.float32(p + "self_attn.q_proj.weight", h, h), scale),
              r.float32(p + "self_attn.k_proj.weight", kv, h),
              r.float32(p + "self_attn.v_proj.weight", kv, h))),
      r.projection(r.float32(p + "self_attn.out_proj.weight", h, h)),
      r.projection(scaled(r.float32(p + "encoder_attn.q_proj.weight", h, h), scale)),
      r.projection(
          fuse(
              r.float32(p + "encoder_attn.k_proj.weight", kvx, h),
              r.float32(p + "encoder_attn.v_proj.weight", kvx, h))),
      r.projection(r.float32(p + "encoder_attn.out_proj.weight", h, h)),
      r.projection(r.float32(p + "fc1.weight", c.ffnDim(), h)),
      r.projection(r.float32(p + "fc2.weight", h, c.ffnDim()))
    };
    return new DecoderLayer(c, norms, projections, rotateHalf);
  }

  private static NDArray scaled(NDArray a, float scale) {
    NDArray s = a.mul(scale);
    a.close();
    return s;
  }

  private static NDArray fuse(NDArray... parts) {
    NDArray fused = parts[0].concat(parts[1], 0);
    for (int i = 2; i < parts.length; i++) {
      NDArray next = fused.concat(parts[i], 0);
      fused.close();
      fused = next;
    }
    for (NDArray part : parts) {
      part.close();
    }
    return fused;
  }

  /**
   * Computes this layer's cross-attention keys/values from the description states E (B,S,H) into
   * {@code cache}, once per request.
   */
  void precomputeCross(KvCache cache, int layer, NDArray encoderStates) {
    long b = encoderStates.getShape().get(0);
    long s = encoderStates.getShape().get(1);
    int kvx = config.numCrossKeyValueHeads();
    int dh = config.headDim();
    NDList kv = crossKv.apply(encoderStates).split(2, 2); // (B,S,kvx*dh) x2
    // reshape after the transpose makes them contiguous, so every step's matmul reads them in place
    cache.crossKeysT[layer] =
        kv.get(0)
            .reshape(b, s, kvx, dh)
            .transpose(0, 2, 3, 1)
            .reshape(b * kvx, dh, s)
            .reshape(b, kvx, dh, s);
    cache.crossValues[layer] =
        kv.get(1)
            .reshape(b, s, kvx, dh)
            .transpose(0, 2, 1, 3)
            .reshape(b * kvx, s, dh)
            .reshape(b, kvx, s, dh);
  }

  /** x (B,m,H) -> (B,m,H) for a batch that shares one cache and one position. */
  NDArray forward(NDArray x, KvCache cache, int layer, StepContext ctx) {
    int b = ctx.batch();
    int m = ctx.length();
    int h = config.hiddenSize();
    int kvHeads = config.numKeyValueHeads();
    int dh = config.headDim();
    NDList qkvParts =
        qkv.apply(norm(x, selfNormWeight, selfNormBias))
            .split(new long[] {h, h + (long) kvHeads * dh}, 2);
    NDArray q = qkvParts.get(0);
    NDArray k = qkvParts.get(1);
    NDArray v = qkvParts.get(2);
    if (ctx.ropeCos() != null) {
      q = rope(q.reshape(b, m, config.numHeads(), dh), ctx);
      k = rope(k.reshape(b, m, kvHeads, dh), ctx);
    }
    x = x.add(selfOut.apply(attendSelf(q, k, v, cache, layer, ctx)));

    q = crossQuery.apply(norm(x, crossNormWeight, crossNormBias));
    if (ctx.ropeCos() != null) { // the reference rotates cross-attention queries too
      q = rope(q.reshape(b, m, config.numHeads(), dh), ctx);
    }
    x = x.add(crossOut.apply(attendCross(q, cache, layer, ctx)));

    NDArray a = norm(x, ffnNormWeight, ffnNormBias);
    return x.add(fc2.apply(activation(fc1.apply(a))));
  }

  /**
   * Writes the new keys/values (B,m,kv*d_h) into the cache and attends over everything filled so
   * far; returns the merged heads (B,m,H) before the output projection.
   */
  private NDArray attendSelf(
      NDArray q, NDArray k, NDArray v, KvCache cache, int layer, StepContext ctx) {
    int b = ctx.batch();
    int m = ctx.length();
    int kvHeads = config.numKeyValueHeads();
    int dh = config.headDim();
    NDArray keysT;
    NDArray values;
    if (m == 1) { // a single position: the head split needs no transpose
      keysT = k.reshape(b, kvHeads, dh, 1);
      values = v.reshape(b, kvHeads, 1, dh);
    } else {
      keysT = k.reshape(b, m, kvHeads, dh).transpose(0, 2, 3, 1);
      values = v.reshape(b, m, kvHeads, dh).transpose(0, 2, 1, 3);
    }
    cache.selfKeysT[layer].set(ctx.keysWrite(), keysT);
    cache.selfValues[layer].set(ctx.valuesWrite(), values);
    NDManager step = q.getManager();
    NDArray scores =
        group(q, kvHeads, ctx).matMul(cache.selfKeysT[layer].get(step, ctx.keysRead()));
    if (ctx.selfMask() != null) {
      scores = scores.add(ctx.selfMask());
    }
    NDArray context =
        scores.softmax(-1).matMul(cache.selfValues[layer].get(step, ctx.valuesRead()));
    return ungroup(context, ctx);
  }

  /** Cross-attention of queries (B,m,H) over the cached description keys/values. */
  private NDArray attendCross(NDArray q, KvCache cache, int layer, StepContext ctx) {
    NDArray scores = group(q, config.numCrossKeyValueHeads(), ctx).matMul(cache.crossKeysT[layer]);
    if (cache.crossMask != null) {
      scores = scores.add(cache.crossMask);
    }
    return ungroup(scores.softmax(-1).matMul(cache.crossValues[layer]), ctx);
  }

  /**
   * Queries (B,m,H) as (B, kv, rep*m, d_h): query head h = j*rep + r belongs to kv head j, so
   * grouped-query attention needs no key/value repetition. Row r*m + i is query i of head j*rep+r.
   */
  private NDArray group(NDArray q, int kvHeads, StepContext ctx) {
    int b = ctx.batch();
    int m = ctx.length();
    int heads = config.numHeads();
    int dh = config.headDim();
    if (m == 1) {
      return q.reshape(b, kvHeads, heads / kvHeads, dh);
    }
    return q.reshape(b, m, heads, dh)
        .transpose(0, 2, 1, 3)
        .reshape(b, kvHeads, heads / kvHeads * m, dh);
  }

  /** Attention output (B, kv, rep*m, d_h) back to (B, m, H). */
  private NDArray ungroup(NDArray o, StepContext ctx) {
    int b = ctx.batch();
    int m = ctx.length();
    if (m == 1) {
      return o.reshape(b, 1, config.hiddenSize());
    }
    return o.reshape(b, config.numHeads(), m, config.headDim())
        .transpose(0, 2, 1, 3)
        .reshape(b, m, config.hiddenSize());
  }

  /** x (B,m,heads,d_h) rotated: x*cos + rotate_half(x)*sin; returned as (B,m,heads*d_h). */
  private NDArray rope(NDArray x, StepContext ctx) {
    Shape s = x.getShape();
    NDArray rotated = x.mul(ctx.ropeCos()).add(x.matMul(rotateHalf).mul(ctx.ropeSin()));
    return rotated.reshape(s.get(0), s.get(1), s.get(2) * s.get(3));
  }

  private NDArray norm(NDArray x, NDArray weight, NDArray bias) {
    return LayerNorm.layerNorm(x, normShape, weight, bias, DecoderConfig.LAYER_NORM_EPS)
        .singletonOrThrow();
  }

  private NDArray activation(NDArray x) {
    switch (config.activation()) {
      case "gelu":
        return Activation.gelu(x);
      case "gelu_new":
        return geluTanh(x);
      case "relu":
        return Activation.relu(x);
      case "silu":
        return x.mul(Activation.sigmoid(x));
      default:
        throw new IllegalStateException(config.activation());
    }
  }

  private static NDArray geluTanh(NDArray x) {
    NDArray inner = x.add(x.pow(3).mul(0.044715f)).mul((float) Math.sqrt(2 / Math.PI));
    return x.mul(0.5f).mul(inner.tanh().add(1f));
  }
}
