package dev.parlance.tts.core.model.decoder;

/** Host-side position tables, computed in float32 as the reference does. */
final class PositionTables {
  private PositionTables() {}

  /**
   * The MusicGen sinusoid (rows, dim): {@code [cos(p*f_i)..., sin(p*f_i)...]} with {@code f_i =
   * exp(-i*ln(10000)/(half-1))}, cos first; a zero column pads an odd width.
   */
  static float[] sinusoid(int rows, int dim) {
    int half = dim / 2;
    float step = (float) (Math.log(10_000) / (half - 1));
    float[] freq = new float[half];
    for (int i = 0; i < half; i++) {
      freq[i] = (float) Math.exp(i * -step);
    }
    float[] table = new float[rows * dim];
    for (int p = 0; p < rows; p++) {
      for (int i = 0; i < half; i++) {
        float angle = p * freq[i];
        table[p * dim + i] = (float) Math.cos(angle);
        table[p * dim + half + i] = (float) Math.sin(angle);
      }
    }
    return table;
  }

  /**
   * Llama-style RoPE angles (rows, headDim) = {@code cat(p*inv_freq, p*inv_freq)} with {@code
   * inv_freq_i = 1/theta^(2i/headDim)}; {@code cos} selects cosines or sines.
   */
  static float[] rope(int rows, int headDim, double theta, boolean cos) {
    int half = headDim / 2;
    float[] inv = new float[half];
    for (int i = 0; i < half; i++) {
      inv[i] = (float) (1.0 / Math.pow(theta, (float) (2 * i) / headDim));
    }
    float[] table = new float[rows * headDim];
    for (int p = 0; p < rows; p++) {
      for (int i = 0; i < half; i++) {
        float angle = p * inv[i];
        float v = (float) (cos ? Math.cos(angle) : Math.sin(angle));
        table[p * headDim + i] = v;
        table[p * headDim + half + i] = v;
      }
    }
    return table;
  }

  /** The (d, d) matrix R with {@code x @ R = rotate_half(x) = cat(-x[half:], x[:half])}. */
  static float[] rotateHalf(int d) {
    int half = d / 2;
    float[] r = new float[d * d];
    for (int j = 0; j < half; j++) {
      r[(j + half) * d + j] = -1f;
      r[j * d + j + half] = 1f;
    }
    return r;
  }
}
