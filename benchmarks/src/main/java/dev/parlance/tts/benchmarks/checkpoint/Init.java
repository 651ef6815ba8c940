package dev.parlance.tts.benchmarks.checkpoint;

import java.util.SplittableRandom;

/**
 * How a random tensor's values are made. Values are produced in row-major order, a block of whole
 * rows (rows = the last axis) at a time, so nothing bigger than one block is ever in memory.
 */
sealed interface Init {

  /**
   * Fills {@code out[0..count)} with the elements starting at flat index {@code first}; {@code
   * first} and {@code count} are whole rows of {@code rowLength}.
   */
  void fill(long first, float[] out, int count, int rowLength, SplittableRandom rng);

  /** Uniform in [-a, a] with standard deviation {@code std}: cheap and bounded. */
  record Uniform(float std) implements Init {
    @Override
    public void fill(long first, float[] out, int count, int rowLength, SplittableRandom rng) {
      float scale = (float) (std * Math.sqrt(3.0) * 2.0);
      for (int i = 0; i < count; i++) {
        out[i] = (rng.nextFloat() - 0.5f) * scale;
      }
    }
  }

  /** Every element the same (norm weights 1, biases 0, Snake alpha 1). */
  record Constant(float value) implements Init {
    @Override
    public void fill(long first, float[] out, int count, int rowLength, SplittableRandom rng) {
      java.util.Arrays.fill(out, 0, count, value);
    }
  }

  /**
   * Parler's sinusoidal position table (spec §5.2): row p = {@code cat(cos(p*f), sin(p*f))}, {@code
   * f_i = exp(-i*ln(10000)/(half-1))}, cos first.
   */
  record Sinusoid() implements Init {
    @Override
    public void fill(long first, float[] out, int count, int rowLength, SplittableRandom rng) {
      int half = rowLength / 2;
      double step = Math.log(10000.0) / (half - 1);
      for (int r = 0; r < count / rowLength; r++) {
        long position = first / rowLength + r;
        int base = r * rowLength;
        for (int i = 0; i < half; i++) {
          double angle = position * Math.exp(-i * step);
          out[base + i] = (float) Math.cos(angle);
          out[base + half + i] = (float) Math.sin(angle);
        }
      }
    }
  }

  /**
   * An LM head whose audio-token rows are zero-mean random and whose special rows (EOS and the
   * unused ids above it) are the constant {@code -margin/H}. With the final LayerNorm bias set to 1
   * (see {@link ParlerLayout}), the normalised hidden state is {@code n + 1} with {@code n} summing
   * to zero, so audio logits are {@code w·n} (std ≈ 1) and special logits are exactly {@code
   * -margin}: random weights never stop early and never emit an id the DAC cannot decode, so
   * generation length is set by the requested duration alone.
   */
  record LmHead(int audioRows, float std, float margin) implements Init {
    @Override
    public void fill(long first, float[] out, int count, int rowLength, SplittableRandom rng) {
      float a = (float) (std * Math.sqrt(3.0) * 2.0);
      for (int r = 0; r < count / rowLength; r++) {
        long row = first / rowLength + r;
        int base = r * rowLength;
        if (row < audioRows) {
          double sum = 0;
          for (int i = 0; i < rowLength; i++) {
            out[base + i] = (rng.nextFloat() - 0.5f) * a;
            sum += out[base + i];
          }
          float mean = (float) (sum / rowLength);
          for (int i = 0; i < rowLength; i++) {
            out[base + i] -= mean;
          }
        } else {
          java.util.Arrays.fill(out, base, base + rowLength, -margin / rowLength);
        }
      }
    }
  }
}
