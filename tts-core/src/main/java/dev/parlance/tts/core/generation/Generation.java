package dev.parlance.tts.core.generation;

import java.util.Arrays;

/**
 * The decoding loop's state for one batch, step by step, exactly as the reference's {@code _sample}
 * with Parler's logits processors: the caller feeds {@link #nextInput()} to the decoder and hands
 * the logits back to {@link #accept(float[])} until {@link #done()}.
 *
 * <p>Rows are (batch, codebook) pairs, row = b*K + k. A row that emitted EOS is finished and gets
 * PAD from then on; the loop ends when every row is finished or at {@code maxLength} columns. Per
 * step: EOS is banned during the first {@code minNewTokens} steps, and by Parler's processor for
 * every codebook after the first unfinished one of its batch item (that pointer advances by at most
 * one codebook per step), so EOS cascades codebook 0, 1, ... on consecutive steps.
 */
public final class Generation {
  private final int batch;
  private final int codebooks;
  private final int vocab;
  private final int eos;
  private final int pad;
  private final SamplingSettings settings;
  private final DelayPattern pattern;
  private final TokenSampler sampler;
  private final long[][] raw; // (B*K, maxLength)
  private final boolean[] finished;
  private final boolean[] sawEos;
  private final int[] firstUnfinished; // per batch item, a codebook index
  private final boolean[] rowDone; // per batch item: all its rows finished
  private int length = 1;
  private boolean done;

  /**
   * @param vocab V, the logits width
   * @param bos the decoder start id fed as column 0
   * @param eos EOS id
   * @param pad PAD id
   */
  public Generation(
      int batch, int codebooks, int vocab, int bos, int eos, int pad, SamplingSettings settings) {
    this.batch = batch;
    this.codebooks = codebooks;
    this.vocab = vocab;
    this.eos = eos;
    this.pad = pad;
    this.settings = settings;
    this.pattern = new DelayPattern(codebooks, settings.maxLength(), bos, pad);
    this.sampler = new TokenSampler(settings, vocab);
    this.raw = new long[batch * codebooks][settings.maxLength()];
    for (long[] row : raw) {
      row[0] = bos;
    }
    this.finished = new boolean[batch * codebooks];
    this.sawEos = new boolean[batch * codebooks];
    this.firstUnfinished = new int[batch];
    this.rowDone = new boolean[batch];
  }

  public int batch() {
    return batch;
  }

  public int codebooks() {
    return codebooks;
  }

  /** Columns so far, the BOS column included. */
  public int length() {
    return length;
  }

  /** Whether the loop has ended. */
  public boolean done() {
    return done;
  }

  /** Whether batch item b has finished every codebook. */
  public boolean finished(int b) {
    return rowDone[b];
  }

  /** The delay-masked last column as decoder input ids, ordered (b, k): shape (B, 1, K). */
  public long[] nextInput() {
    long[] ids = new long[batch * codebooks];
    int t = length - 1;
    for (int row = 0; row < ids.length; row++) {
      ids[row] = pattern.apply(row % codebooks, t, raw[row][t]);
    }
    return ids;
  }

  /**
   * Takes one step's logits ((B*K, V) row-major; edited in place: EOS set to -inf where banned) and
   * appends the chosen tokens.
   *
   * @return whether generation goes on
   */
  public boolean accept(float[] logits) {
    if (done) {
      throw new IllegalStateException("generation already finished");
    }
    if (logits.length != batch * codebooks * vocab) {
      throw new IllegalArgumentException(
          "expected " + batch * codebooks * vocab + " logits, got " + logits.length);
    }
    banEos(logits);
    int t = length;
    for (int row = 0; row < raw.length; row++) {
      long token = finished[row] ? pad : sampler.choose(logits, row, vocab);
      raw[row][t] = token;
      if (token == eos) {
        sawEos[row] = true;
      }
    }
    length++;
    boolean anyUnfinished = false;
    for (int row = 0; row < raw.length; row++) {
      finished[row] |= raw[row][t] == eos;
      anyUnfinished |= !finished[row];
    }
    for (int b = 0; b < batch; b++) {
      boolean all = true;
      for (int k = 0; k < codebooks; k++) {
        all &= finished[b * codebooks + k];
      }
      rowDone[b] = all;
    }
    done = !anyUnfinished || length >= settings.maxLength();
    return !done;
  }

  private void banEos(float[] logits) {
    // Parler's processor: advance each item's pointer past a codebook that has produced EOS
    for (int b = 0; b < batch; b++) {
      int f = firstUnfinished[b];
      if (f < codebooks - 1 && sawEos[b * codebooks + f]) {
        firstUnfinished[b] = f + 1;
      }
      for (int k = firstUnfinished[b] + 1; k < codebooks; k++) {
        logits[(b * codebooks + k) * vocab + eos] = Float.NEGATIVE_INFINITY;
      }
    }
    if (length - 1 < settings.minNewTokens()) {
      for (int row = 0; row < raw.length; row++) {
        logits[row * vocab + eos] = Float.NEGATIVE_INFINITY;
      }
    }
  }

  /** The raw token stream (B*K, length): column 0 BOS, finished rows PAD. */
  public long[][] rawSequences() {
    long[][] out = new long[raw.length][];
    for (int row = 0; row < raw.length; row++) {
      out[row] = Arrays.copyOf(raw[row], length);
    }
    return out;
  }

  /** The raw stream with the delay pattern applied (what the decoder saw). */
  public long[][] maskedSequences() {
    return pattern.apply(raw, length);
  }

  /** Codes (B, K, length - K) with the delay undone; may still hold EOS/PAD ids. */
  public long[][][] codes() {
    return DelayPattern.revert(maskedSequences(), codebooks);
  }

  /** Frames of every item complete so far: frame j needs codebook k's token at time j + k + 1. */
  public int completeFrames() {
    return Math.max(0, length - codebooks);
  }

  /** Frame j of item b as K ids (the delay undone); may hold EOS/PAD ids. */
  public long[] frame(int b, int j) {
    if (j < 0 || j >= completeFrames()) {
      throw new IndexOutOfBoundsException("frame " + j + " of " + completeFrames());
    }
    long[] ids = new long[codebooks];
    for (int k = 0; k < codebooks; k++) {
      int t = j + k + 1;
      ids[k] = pattern.apply(k, t, raw[b * codebooks + k][t]);
    }
    return ids;
  }
}
