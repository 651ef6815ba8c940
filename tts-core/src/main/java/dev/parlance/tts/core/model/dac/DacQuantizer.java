package dev.parlance.tts.core.model.dac;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;

/**
 * The residual quantizer's {@code from_codes}: {@code z = sum_q out_proj_q(codebook_q[codes[q]])}.
 * out_proj is a 1x1 conv (latent, dim, 1) with bias, so it is applied once at load to every
 * codebook entry: decoding becomes one gather from a stacked (K*size, latent) table and a sum over
 * codebooks. Checkpoint per codebook q: {@code codebook.weight} (size, dim), {@code out_proj}
 * weight (latent, dim, 1) (possibly weight-normed) and bias (latent). The raw entry is used (the L2
 * normalisation belongs to the encoder's search only).
 */
final class DacQuantizer implements DacLayer {
  private final NDArray projected; // (K*size, latent): row q*size + id = out_proj_q(codebook_q[id])
  private final NDArray offsets; // (1, K, 1) int64: q*size

  private DacQuantizer(NDArray projected, NDArray offsets) {
    this.projected = projected;
    this.offsets = offsets;
  }

  static DacQuantizer load(
      DacWeights weights, DacKeys keys, int codebooks, int size, int dim, int latent) {
    float[] table = new float[codebooks * size * latent];
    long[] offsets = new long[codebooks];
    for (int q = 0; q < codebooks; q++) {
      float[] codebook = weights.floats(keys.codebook(q), size, dim);
      float[] w = weights.convWeight(keys.outProj(q), latent, dim, 1);
      float[] b = weights.convBias(keys.outProj(q), latent);
      for (int id = 0; id < size; id++) {
        int row = (q * size + id) * latent;
        for (int o = 0; o < latent; o++) {
          float sum = 0;
          for (int i = 0; i < dim; i++) {
            sum += w[o * dim + i] * codebook[id * dim + i];
          }
          table[row + o] = sum + b[o];
        }
      }
      offsets[q] = (long) q * size;
    }
    return new DacQuantizer(
        weights.upload(table, (long) codebooks * size, latent),
        weights.uploadLongs(offsets, 1, codebooks, 1));
  }

  /** codes (B, K, T) int64 -> latent (B, latent, T). */
  @Override
  public NDArray forward(NDArray codes) {
    try (NDArray rows = codes.add(offsets);
        NDArray perCodebook =
            Embedding.embedding(rows, projected, SparseFormat.DENSE).singletonOrThrow();
        NDArray summed = perCodebook.sum(new int[] {1})) { // (B, T, latent)
      return summed.transpose(0, 2, 1);
    }
  }

  @Override
  public Span exactOutputs(Span in) {
    return in;
  }
}
