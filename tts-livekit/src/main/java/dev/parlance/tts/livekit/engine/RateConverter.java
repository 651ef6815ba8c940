package dev.parlance.tts.livekit.engine;

/**
 * Converts a segment's samples from the engine's rate to the output rate, keeping state across
 * chunks so that joins are seamless.
 */
interface RateConverter {

  /** Converts the next chunk. */
  float[] process(float[] samples);

  /** Returns the samples still held at the end of a segment; the converter is then reset. */
  float[] flush();

  /** A converter that passes samples through (engine rate == output rate). */
  static RateConverter identity() {
    return new RateConverter() {
      @Override
      public float[] process(float[] samples) {
        return samples;
      }

      @Override
      public float[] flush() {
        return new float[0];
      }
    };
  }
}
