package dev.parlance.tts.spi;

/**
 * Float to 16-bit PCM conversion, shared by {@link AudioChunk} and {@link AudioClip}.
 *
 * <p>Floats are clipped to [-1, 1] and scaled by 32767 with rounding, so full scale maps to
 * +/-32767 and silence to 0.
 */
public final class Pcm16 {
  private Pcm16() {}

  /** One float sample as a 16-bit value. NaN becomes silence. */
  public static short toShort(float sample) {
    if (Float.isNaN(sample)) {
      return 0;
    }
    float clipped = Math.max(-1f, Math.min(1f, sample));
    return (short) Math.round(clipped * 32767f);
  }

  /** Samples as 16-bit values. */
  public static short[] toShorts(float[] samples) {
    short[] out = new short[samples.length];
    for (int i = 0; i < samples.length; i++) {
      out[i] = toShort(samples[i]);
    }
    return out;
  }

  /** Samples as little-endian 16-bit PCM bytes (WAV's and OpenAI's {@code pcm} byte order). */
  public static byte[] toLittleEndianBytes(float[] samples) {
    byte[] out = new byte[samples.length * 2];
    for (int i = 0; i < samples.length; i++) {
      short s = toShort(samples[i]);
      out[2 * i] = (byte) s;
      out[2 * i + 1] = (byte) (s >> 8);
    }
    return out;
  }

  /** 16-bit values back to floats in [-1, 1]. */
  public static float[] toFloats(short[] samples) {
    float[] out = new float[samples.length];
    for (int i = 0; i < samples.length; i++) {
      out[i] = samples[i] / 32767f;
    }
    return out;
  }
}
