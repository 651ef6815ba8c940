package dev.parlance.tts.core.model.dac;

/**
 * How far the decoder's zero padding reaches into a decoded window: decoding code frames {@code [a,
 * b)} of a longer utterance gives exactly the whole-utterance audio (to float rounding) for the
 * samples {@code [a*hop + leftSamples, b*hop - rightSamples)}. At the utterance's own start and end
 * the padding is the same in both decodes, so no margin is lost there.
 *
 * @param leftSamples samples lost at a window's left edge
 * @param rightSamples samples lost at a window's right edge
 * @param hopLength samples per code frame
 */
public record ReceptiveField(int leftSamples, int rightSamples, int hopLength) {

  /** Whole code frames of left context that cover {@link #leftSamples}. */
  public int leftFrames() {
    return (leftSamples + hopLength - 1) / hopLength;
  }

  /** Whole code frames of right context that cover {@link #rightSamples}. */
  public int rightFrames() {
    return (rightSamples + hopLength - 1) / hopLength;
  }
}
