package dev.parlance.tts.core.model.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.core.Linear;

/**
 * Pre-norm bidirectional self-attention sub-layer of a T5 block ({@code layer.0}), residual
 * included. q, k and v are one fused projection. T5 does not scale scores by {@code 1/sqrt(d_kv)}
 * (the scale is folded into its trained weights).
 */
final class T5Attention {
  private final NDArray qkv; // (3*I, D): rows q, k, v; columns scaled by layer_norm.weight
  private final NDArray o; // (D, I)
  private final int numHeads;
  private final int dKv;
  private final float eps;

  T5Attention(NDArray qkv, NDArray o, int numHeads, int dKv, float eps) {
    this.qkv = qkv;
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
    NDList qkvHeads =
        Linear.linear(a, qkv)
            .singletonOrThrow()
            .reshape(batch, length, 3, numHeads, dKv)
            .transpose(2, 0, 3, 1, 4) // (3, B, H, S, d_kv)
            .split(3, 0); // q, k, v: (1, B, H, S, d_kv)
    NDArray scores = qkvHeads.get(0).matMul(qkvHeads.get(1).swapAxes(-1, -2)); // (1,B,H,S,S)
    NDArray probs;
    if (scores.getDataType() == DataType.FLOAT32) {
      probs = scores.add(bias).softmax(-1);
    } else {
      probs = scores.toType(DataType.FLOAT32, false).add(bias).softmax(-1);
      probs = probs.toType(scores.getDataType(), false);
    }
    NDArray context =
        probs
            .matMul(qkvHeads.get(2)) // (1, B, H, S, d_kv)
            .transpose(0, 1, 3, 2, 4)
            .reshape(batch, length, (long) numHeads * dKv);
    return x.add(Linear.linear(context, o).singletonOrThrow());
  }
}
