package dev.parlance.tts.core.tokenizer;

/** Where padding goes when rows of a batch differ in length. */
public enum PaddingSide {
  /** Pad at the start: Parler prompts (the decoder prefix must end at the audio BOS). */
  LEFT,
  /** Pad at the end: T5 descriptions. */
  RIGHT
}
