package dev.parlance.tts.core.generation;

import ai.djl.ndarray.NDArray;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * The decoding loop's state for one batch, step by step, exactly as the reference's {@code _sample}
 * with Parler's logits processors: the caller feeds {@link #nextInput()} to the decoder, chooses
 * tokens from the logits on their device ({@link #step}, or {@link #plan} and {@link #accept} to
 * batch several generations into one sampler call) until {@link #done()}.
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
  private final SplittableRandom random;
  private final long[][] raw; // (B*K, maxLength)
  private final boolean[] finished;
  private final boolean[] sawEos;
  private final int[] firstUnfinished; // per batch item, a codebook index
  private final boolean[] rowDone; // per batch item: all its rows finished
  private final boolean[] eosBanned; // per row, in the last planned step
  private boolean planned;
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
    this.random = new SplittableRandom(settings.seed());
    this.raw = new long[batch * codebooks][settings.maxLength()];
    for (long[] row : raw) {
      row[0] = bos;
    }
    this.finished = new boolean[batch * codebooks];
    this.sawEos = new boolean[batch * codebooks];
    this.firstUnfinished = new int[batch];
    this.rowDone = new boolean[batch];
    this.eosBanned = new boolean[batch * codebooks];
  }

  public int batch() {
    return batch;
  }

  public int codebooks() {
    return codebooks;
  }

  /** Logits rows per step, B*K. */
  public int rows() {
    return raw.length;
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
   * Chooses this step's tokens from {@code logits} ((B*K, V), on their device) and appends them.
   *
   * @return whether generation goes on
   */
  public boolean step(NDArray logits, TokenSampler sampler) {
    SamplingRows rows = new SamplingRows(rows(), vocab);
    plan(rows, 0);
    return accept(sampler.choose(logits, rows, eos), 0);
  }

  /**
   * Writes this step's sampling parameters for rows {@code offset .. offset + B*K - 1}: EOS banned
   * during the first {@code minNewTokens} steps and by Parler's processor, and one uniform draw per
   * unfinished sampled row, in row order (so a seed fixes the tokens). Call once per step, before
   * {@link #accept}.
   */
  public void plan(SamplingRows rows, int offset) {
    if (done) {
      throw new IllegalStateException("generation already finished");
    }
    if (planned) {
      throw new IllegalStateException("this step is already planned");
    }
    banEos();
    for (int row = 0; row < raw.length; row++) {
      if (finished[row] || settings.greedy()) {
        rows.greedy(offset + row, eosBanned[row]); // a finished row's choice is ignored
      } else {
        rows.sample(offset + row, settings, random.nextDouble(), eosBanned[row]);
      }
    }
    planned = true;
  }

  /**
   * Appends the planned step's tokens, {@code tokens[offset .. offset + B*K - 1]}; finished rows
   * get PAD whatever was chosen for them.
   *
   * @return whether generation goes on
   */
  public boolean accept(long[] tokens, int offset) {
    if (!planned) {
      throw new IllegalStateException("plan the step before accepting its tokens");
    }
    if (tokens.length < offset + raw.length) {
      throw new IllegalArgumentException(
          "expected " + raw.length + " tokens from " + offset + ", got " + tokens.length);
    }
    planned = false;
    int t = length;
    for (int row = 0; row < raw.length; row++) {
      long token = finished[row] ? pad : tokens[offset + row];
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

  private void banEos() {
    Arrays.fill(eosBanned, length - 1 < settings.minNewTokens());
    // Parler's processor: advance each item's pointer past a codebook that has produced EOS
    for (int b = 0; b < batch; b++) {
      int f = firstUnfinished[b];
      if (f < codebooks - 1 && sawEos[b * codebooks + f]) {
        firstUnfinished[b] = f + 1;
      }
      for (int k = firstUnfinished[b] + 1; k < codebooks; k++) {
        eosBanned[b * codebooks + k] = true;
      }
    }
  }

  /**
   * Whether the last planned step banned EOS for {@code row}: transformers' processed scores hold
   * -inf there.
   */
  public boolean eosBanned(int row) {
    return eosBanned[row];
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
