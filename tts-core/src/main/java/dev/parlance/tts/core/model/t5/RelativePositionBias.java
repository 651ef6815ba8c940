package dev.parlance.tts.core.model.t5;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;

/**
 * T5's bidirectional relative-position bias, shared by every encoder block. The table {@code
 * encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight} (buckets, heads) is small,
 * so it stays on the host and the (1, heads, S, S) bias is built there: no device ops.
 */
final class RelativePositionBias {
  private final float[] table; // (numBuckets, numHeads) row-major
  private final int numBuckets;
  private final int maxDistance;
  private final int numHeads;

  RelativePositionBias(float[] table, int numBuckets, int maxDistance, int numHeads) {
    if (table.length != numBuckets * numHeads) {
      throw new IllegalArgumentException(
          "relative_attention_bias has " + table.length + " values, expected buckets*heads");
    }
    this.table = table;
    this.numBuckets = numBuckets;
    this.maxDistance = maxDistance;
    this.numHeads = numHeads;
  }

  /**
   * Bucket of key position minus query position: half the buckets per direction, exact up to a
   * quarter of them, then logarithmic up to {@code maxDistance}. Float arithmetic as in
   * transformers' {@code _relative_position_bucket(bidirectional=True)}.
   */
  static int bucket(int relativePosition, int numBuckets, int maxDistance) {
    int half = numBuckets / 2;
    int bucket = relativePosition > 0 ? half : 0;
    int n = Math.abs(relativePosition);
    int maxExact = half / 2;
    if (n < maxExact) {
      return bucket + n;
    }
    float logRatio = (float) Math.log((float) n / maxExact);
    float scaled = logRatio / (float) Math.log((double) maxDistance / maxExact) * (half - maxExact);
    return bucket + Math.min(maxExact + (int) scaled, half - 1);
  }

  /** The bias {@code bias[0, h, i, j] = table[bucket(j - i), h]}, shape (1, heads, S, S), fp32. */
  NDArray forLength(int length, NDManager manager) {
    float[] bias = new float[numHeads * length * length];
    int plane = length * length;
    for (int i = 0; i < length; i++) {
      for (int j = 0; j < length; j++) {
        int row = bucket(j - i, numBuckets, maxDistance) * numHeads;
        for (int h = 0; h < numHeads; h++) {
          bias[h * plane + i * length + j] = table[row + h];
        }
      }
    }
    return manager.create(bias, new Shape(1, numHeads, length, length));
  }
}
