package dev.parlance.tts.http.codec;

/** Headerless 16-bit little-endian PCM: OpenAI's {@code pcm} format. */
final class PcmEncoder implements AudioEncoder {
  @Override
  public byte[] start() {
    return new byte[0];
  }

  @Override
  public byte[] encode(short[] samples) {
    return littleEndian(samples);
  }

  @Override
  public byte[] finish() {
    return new byte[0];
  }

  static byte[] littleEndian(short[] samples) {
    byte[] out = new byte[samples.length * 2];
    for (int i = 0; i < samples.length; i++) {
      out[2 * i] = (byte) samples[i];
      out[2 * i + 1] = (byte) (samples[i] >> 8);
    }
    return out;
  }
}
