package dev.parlance.tts.core.model.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Activation;
import dev.parlance.tts.core.kernel.Projection;

/**
 * Pre-norm feed-forward sub-layer of a T5 block ({@code layer.1.DenseReluDense}), residual
 * included: gated {@code wo(act(wi_0 x) * wi_1 x)} (flan-T5 "gated-gelu") or plain {@code wo(act(wi
 * x))} (original T5 "relu").
 */
final class T5FeedForward {
  // gelu_new(z) = 0.5 z (1 + tanh(c (z + 0.044715 z^3))) = z * sigmoid(2c z (1 + 0.044715 z^2))
  private static final float TWO_C = (float) (2 * Math.sqrt(2 / Math.PI));
  private static final float TWO_C_CUBIC = TWO_C * 0.044715f;

  // wi_0 (gated only) and wi (wi_1 when gated): (F, D), columns scaled by layer_norm.weight
  private final Projection wi0;
  private final Projection wi;
  private final Projection wo; // (D, F)
  private final boolean gated;
  private final String activation;
  private final float eps;

  /**
   * @param wi0 the activated branch of a gated FFN, null when not gated
   * @param wi the linear branch ({@code wi_1}) when gated, else the only input projection
   */
  T5FeedForward(Projection wi0, Projection wi, Projection wo, String activation, float eps) {
    this.wi0 = wi0;
    this.wi = wi;
    this.wo = wo;
    this.gated = wi0 != null;
    this.activation = activation;
    this.eps = eps;
  }

  /** x + FFN(RMS(x)), (B, S, D). */
  NDArray forward(NDArray x) {
    NDArray a = T5LayerNorm.normalize(x, eps);
    NDArray hidden = wi.apply(a); // (B, S, F)
    if (gated) {
      hidden = activate(wi0.apply(a)).mul(hidden);
    } else {
      hidden = activate(hidden);
    }
    return x.add(wo.apply(hidden));
  }

  private NDArray activate(NDArray z) {
    return switch (activation) {
      // tanh GELU ("gelu_new"); DJL's Activation.gelu is the erf form.
      case "gelu_new", "gelu_pytorch_tanh" ->
          Activation.sigmoid(z.mul(z.square().mul(TWO_C_CUBIC).add(TWO_C))).mul(z);
      case "gelu" -> Activation.gelu(z);
      case "relu" -> Activation.relu(z);
      case "silu", "swish" -> Activation.sigmoid(z).mul(z);
      default -> throw new IllegalStateException("unsupported activation " + activation);
    };
  }
}
