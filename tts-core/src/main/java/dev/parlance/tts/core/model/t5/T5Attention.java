package dev.parlance.tts.core.model.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.parlance.tts.core.kernel.Projection;

/**
 * Pre-norm bidirectional self-attention sub-layer of a T5 block ({@code layer.0}), residual
 * included. T5 does not scale scores by {@code 1/sqrt(d_kv)} (the scale is folded into its trained
 * weights).
 *
 * <p>q, k and v stay three projections: at description lengths (M = 40 rows) one fused (3I x D)
 * GEMM measured 10-25% slower on the CPU than three (I x D) ones, more than the saved op dispatch.
 */
final class T5Attention {
  // q, k, v: (I, D), columns scaled by layer_norm.weight; o: (D, I)
  private final Projection q;
  private final Projection k;
  private final Projection v;
  private final Projection o;
  private final int numHeads;
  private final int dKv;
  private final float eps;

  T5Attention(
      Projection q, Projection k, Projection v, Projection o, int numHeads, int dKv, float eps) {
    this.q = q;
    this.k = k;
    this.v = v;
    this.o = o;
    this.numHeads = numHeads;
    this.dKv = dKv;
    this.eps = eps;
  }

  /**
   * @param x (B, S, D) hidden states
   * @param bias (B, H, S, S) fp32: relative-position bias plus the additive key padding mask
   * @return x + attention(RMS(x)), (B, S, D)
   */
  NDArray forward(NDArray x, NDArray bias) {
    Shape shape = x.getShape();
    long batch = shape.get(0);
    long length = shape.get(1);
    NDArray a = T5LayerNorm.normalize(x, eps);
    NDArray queries = heads(a, q, batch, length).transpose(0, 2, 1, 3); // (B, H, S, d_kv)
    NDArray keysT = heads(a, k, batch, length).transpose(0, 2, 3, 1); // (B, H, d_kv, S)
    NDArray values = heads(a, v, batch, length).transpose(0, 2, 1, 3); // (B, H, S, d_kv)
    NDArray scores = queries.matMul(keysT); // (B, H, S, S)
    NDArray probs;
    if (scores.getDataType() == DataType.FLOAT32) {
      probs = scores.add(bias).softmax(-1);
    } else {
      probs = scores.toType(DataType.FLOAT32, false).add(bias).softmax(-1);
      probs = probs.toType(scores.getDataType(), false);
    }
    NDArray context =
        probs
            .matMul(values) // (B, H, S, d_kv)
            .transpose(0, 2, 1, 3)
            .reshape(batch, length, (long) numHeads * dKv);
    return x.add(o.apply(context));
  }

  /** Projects and splits into heads: (B, S, H, d_kv). */
  private NDArray heads(NDArray a, Projection weight, long batch, long length) {
    return weight.apply(a).reshape(batch, length, numHeads, dKv);
  }
}
