package dev.parlance.tts.core.generation;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import dev.parlance.tts.core.script.TorchScriptModule;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Chooses one token per logits row on the logits' device, in one kernel call, as transformers'
 * sampling path does: EOS banned where Parler's processor bans it, then argmax for greedy rows; for
 * the others temperature, top-k (entries below the k-th largest value dropped; ties kept), softmax,
 * top-p (ascending by probability, a token is dropped while the mass up to and including it is at
 * most 1 - p; the most likely one always stays), and an inverse-CDF draw over token ids with the
 * row's uniform. Only the chosen ids come back to the host.
 *
 * <p>The uniforms come from the request's seeded Java generator ({@link Generation}), so a seed
 * fixes the tokens on every device. The arithmetic runs in float64, as the reference host sampler
 * in the tests does; the two agree unless a draw falls within rounding of a bucket edge.
 */
public final class TokenSampler {
  private static final String CLASS = "ParlanceSampler";
  private static final Map<Device, TokenSampler> SHARED = new ConcurrentHashMap<>();

  // rows (N, 6): temperature, top_k (0 = off), top_p, uniform, ban_eos, greedy; see SamplingRows.
  // Selection runs on float32 logits: exact for half-precision ones, and dividing by a positive
  // temperature in float64 keeps distinct float32 values distinct and ordered, so the top-k set is
  // the one the float64 path would keep.
  private static final String METHODS =
      String.join(
          "\n",
          "  def choose(self: __torch__."
              + CLASS
              + ", logits: Tensor, rows: Tensor, eos: int, k_max: int, candidates: bool,"
              + " nucleus: bool, sampled: bool) -> Tensor:",
          "    z = torch.to(torch.reshape(logits, [torch.size(rows, 0), -1]), 6)",
          "    ban = torch.gt(torch.select(rows, 1, 4), 0.5)",
          "    eos_logit = torch.masked_fill(torch.select(z, 1, eos), ban, float(\"-inf\"))",
          "    z = torch.select_scatter(z, eos_logit, 1, eos)",
          "    best = torch.argmax(z, 1)",
          "    if not sampled:",
          "      return best",
          "    greedy = torch.gt(torch.select(rows, 1, 5), 0.5)",
          "    k = torch.unsqueeze(torch.to(torch.select(rows, 1, 1), 4), 1)",
          "    if k_max > 0:",
          "      values, ids = torch.topk(z, k_max, 1)",
          "      kth = torch.gather(values, 1, torch.clamp(torch.sub(k, 1), 0))",
          "      kth = torch.masked_fill(kth, torch.eq(k, 0), float(\"-inf\"))",
          // every sampled row keeps at most k_max tokens unless ties at the k-th value spill over:
          // then only those candidates, in id order, take part in the draw
          "      if candidates:",
          "        spilled = torch.gt(torch.sum(torch.ge(z, kth), [1]), k_max)",
          "        if not bool(torch.any(torch.logical_and(spilled, torch.logical_not(greedy)))):",
          "          ids, order = torch.sort(ids, 1)",
          "          values = torch.gather(values, 1, order)",
          "          values = torch.masked_fill(values, torch.lt(values, kth), float(\"-inf\"))",
          "          drawn = torch.gather(ids, 1, torch.unsqueeze((self).draw(values, rows, nucleus), 1))",
          "          return torch.where(greedy, best, torch.squeeze(drawn, 1))",
          "      z = torch.masked_fill(z, torch.lt(z, kth), float(\"-inf\"))",
          "    return torch.where(greedy, best, (self).draw(z, rows, nucleus))",
          // z (N, C): filtered logits in id order -> the drawn column per row
          "  def draw(self: __torch__."
              + CLASS
              + ", z: Tensor, rows: Tensor, nucleus: bool) -> Tensor:",
          "    c = torch.size(z, 1)",
          "    z = torch.div(torch.to(z, 7), torch.unsqueeze(torch.select(rows, 1, 0), 1))",
          "    probs = torch.softmax(z, 1)",
          "    if nucleus:",
          "      ascending, order = torch.sort(probs, stable=True, dim=1)",
          "      outside = torch.unsqueeze(torch.rsub(torch.select(rows, 1, 2), 1.), 1)",
          "      drop = torch.le(torch.cumsum(ascending, 1), outside)",
          "      keep_best = torch.zeros_like(torch.select(drop, 1, c - 1))",
          "      drop = torch.select_scatter(drop, keep_best, 1, c - 1)",
          "      probs = torch.scatter(probs, 1, order, torch.masked_fill(ascending, drop, 0.))",
          "    cdf = torch.cumsum(probs, 1)",
          "    target = torch.mul(torch.select(rows, 1, 3), torch.select(cdf, 1, c - 1))",
          "    drawn = torch.sum(torch.le(cdf, torch.unsqueeze(target, 1)), [1])",
          // the last column with mass: where rounding leaves the target at the total
          "    nonzero = torch.to(torch.gt(torch.flip(probs, [1]), 0.), 4)",
          "    return torch.minimum(drawn, torch.rsub(torch.argmax(nonzero, 1), c - 1))",
          "");

  private final TorchScriptModule module;

  private TokenSampler(TorchScriptModule module) {
    this.module = module;
  }

  /** The sampler for {@code device}, compiled on first use and shared for the process's life. */
  public static TokenSampler on(Device device) {
    return SHARED.computeIfAbsent(
        device, d -> new TokenSampler(TorchScriptModule.compile(d, CLASS, METHODS)));
  }

  /**
   * @param logits (N, V), or any shape of N*V values row-major, in any float dtype, on this
   *     sampler's device
   * @param rows N rows' parameters
   * @param eos the EOS id, the column a row's ban applies to
   * @return N token ids
   */
  public long[] choose(NDArray logits, SamplingRows rows, int eos) {
    int n = rows.size();
    if (logits.size() != (long) n * rows.vocab()) {
      throw new IllegalArgumentException(
          "logits of shape " + logits.getShape() + " are not " + n + " rows of " + rows.vocab());
    }
    NDManager manager = logits.getManager();
    try (NDArray params = manager.create(rows.values(), new Shape(n, SamplingRows.WIDTH));
        IValue z = IValue.from((PtNDArray) logits);
        IValue p = IValue.from((PtNDArray) params);
        IValue e = IValue.from(eos);
        IValue k = IValue.from(rows.topKMax());
        IValue candidates = IValue.from(rows.everySampledRowHasTopK());
        IValue nucleus = IValue.from(rows.nucleus());
        IValue sampled = IValue.from(rows.sampled());
        IValue tokens = module.run("choose", z, p, e, k, candidates, nucleus, sampled);
        NDArray ids = tokens.toTensor((PtNDManager) manager)) {
      return ids.toLongArray();
    }
  }
}
