package dev.parlance.tts.core.generation;

/**
 * One step's sampling parameters for N logits rows, laid out as {@link TokenSampler}'s kernel reads
 * them: (N, 6) float64, one upload per step. A row is either greedy or sampled with its request's
 * settings and one uniform draw; either may have EOS banned.
 */
public final class SamplingRows {
  static final int WIDTH = 6;
  static final int TEMPERATURE = 0;
  static final int TOP_K = 1;
  static final int TOP_P = 2;
  static final int UNIFORM = 3;
  static final int BAN_EOS = 4;
  static final int GREEDY = 5;

  private final double[] values;
  private final int vocab;
  private int topKMax;
  private boolean nucleus;
  private boolean sampled;
  private boolean everySampledRowHasTopK = true;

  /**
   * @param rows N
   * @param vocab V, the logits width (a top-k of V or more keeps every token)
   */
  public SamplingRows(int rows, int vocab) {
    this.values = new double[rows * WIDTH];
    this.vocab = vocab;
    for (int r = 0; r < rows; r++) {
      greedy(r, false); // rows not written otherwise (finished ones) cost an argmax
    }
  }

  public int size() {
    return values.length / WIDTH;
  }

  int vocab() {
    return vocab;
  }

  /** Row {@code row} takes the argmax. */
  public void greedy(int row, boolean banEos) {
    set(row, 1, 0, 1, 0, banEos, true);
  }

  /** Row {@code row} draws with {@code settings} and the uniform {@code u} in [0, 1). */
  public void sample(int row, SamplingSettings settings, double u, boolean banEos) {
    int k = settings.topK() > 0 && settings.topK() < vocab ? settings.topK() : 0;
    topKMax = Math.max(topKMax, k);
    nucleus |= settings.topP() < 1;
    sampled = true;
    everySampledRowHasTopK &= k > 0;
    set(row, settings.temperature(), k, settings.topP(), u, banEos, false);
  }

  private void set(
      int row, double temperature, int topK, double topP, double u, boolean ban, boolean greedy) {
    int at = row * WIDTH;
    values[at + TEMPERATURE] = temperature;
    values[at + TOP_K] = topK;
    values[at + TOP_P] = topP;
    values[at + UNIFORM] = u;
    values[at + BAN_EOS] = ban ? 1 : 0;
    values[at + GREEDY] = greedy ? 1 : 0;
  }

  /** Whether row {@code row} has EOS banned this step. */
  public boolean eosBanned(int row) {
    return values[row * WIDTH + BAN_EOS] != 0;
  }

  double[] values() {
    return values;
  }

  /** The largest active top-k (0: no row filters), so the kernel runs one top-k of that size. */
  int topKMax() {
    return topKMax;
  }

  /** Whether some row has a nucleus (top-p) filter, so the kernel sorts. */
  boolean nucleus() {
    return nucleus;
  }

  /** Whether some row samples; otherwise the kernel stops at the argmax. */
  boolean sampled() {
    return sampled;
  }

  /** Whether the sampled rows all keep a top k, so the draw can run on the top-k candidates. */
  boolean everySampledRowHasTopK() {
    return sampled && everySampledRowHasTopK;
  }
}
