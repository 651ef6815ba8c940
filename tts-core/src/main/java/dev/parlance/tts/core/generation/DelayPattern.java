package dev.parlance.tts.core.generation;

/**
 * Parler/MusicGen's delay pattern: codebook k runs k steps behind codebook 0. For a pattern of
 * length N, codebook k is forced to BOS at times t &lt;= k, forced to PAD at t &gt;= N - K + 1 + k,
 * and free (the model's token) in between; frame j of codebook k sits at time j + k + 1.
 *
 * <p>Raw tokens and the pattern are kept apart: the pattern is applied only when building decoder
 * inputs and when reverting at the end.
 */
public final class DelayPattern {
  /** Marks a free slot. */
  public static final long FREE = -1;

  private final int codebooks;
  private final int length;
  private final long bos;
  private final long pad;

  /**
   * @param codebooks K
   * @param length N, the pattern length ({@code max_length}, BOS column included)
   */
  public DelayPattern(int codebooks, int length, long bos, long pad) {
    this.codebooks = codebooks;
    this.length = length;
    this.bos = bos;
    this.pad = pad;
  }

  /** The forced id at (codebook k, time t), or {@link #FREE}. */
  public long at(int k, int t) {
    if (length < 2 * codebooks - 1) {
      return FREE; // the reference applies no pattern when it cannot fit
    }
    if (t <= k) {
      return bos;
    }
    if (t >= length - codebooks + 1 + k) {
      return pad;
    }
    return FREE;
  }

  /** The token fed at (k, t) given the raw token there. */
  public long apply(int k, int t, long raw) {
    long forced = at(k, t);
    return forced == FREE ? raw : forced;
  }

  /** Applies the pattern to raw sequences (B*K rows, row = b*K + k), first {@code n} columns. */
  public long[][] apply(long[][] raw, int n) {
    long[][] out = new long[raw.length][n];
    for (int row = 0; row < raw.length; row++) {
      int k = row % codebooks;
      for (int t = 0; t < n; t++) {
        out[row][t] = apply(k, t, raw[row][t]);
      }
    }
    return out;
  }

  /**
   * Undoes the delay: delay-masked sequences (B*K, n) to codes (B, K, n - K), frame j of codebook k
   * taken from time j + k + 1. The result may still hold EOS/PAD ids.
   */
  public static long[][][] revert(long[][] masked, int codebooks) {
    int batch = masked.length / codebooks;
    int n = masked.length == 0 ? 0 : masked[0].length;
    int frames = Math.max(0, n - codebooks);
    long[][][] codes = new long[batch][codebooks][frames];
    for (int b = 0; b < batch; b++) {
      for (int k = 0; k < codebooks; k++) {
        System.arraycopy(masked[b * codebooks + k], k + 1, codes[b][k], 0, frames);
      }
    }
    return codes;
  }

  /**
   * Keeps only the frames (time columns) whose every codebook id is a real code (&lt; {@code
   * codebookSize}): drops the EOS/PAD tail and any stray special id.
   */
  public static long[][] validFrames(long[][] codes, int codebookSize) {
    int k = codes.length;
    int frames = k == 0 ? 0 : codes[0].length;
    boolean[] keep = new boolean[frames];
    int kept = 0;
    for (int j = 0; j < frames; j++) {
      boolean ok = true;
      for (int c = 0; c < k && ok; c++) {
        ok = codes[c][j] >= 0 && codes[c][j] < codebookSize;
      }
      keep[j] = ok;
      kept += ok ? 1 : 0;
    }
    long[][] out = new long[k][kept];
    for (int c = 0; c < k; c++) {
      int at = 0;
      for (int j = 0; j < frames; j++) {
        if (keep[j]) {
          out[c][at++] = codes[c][j];
        }
      }
    }
    return out;
  }
}
