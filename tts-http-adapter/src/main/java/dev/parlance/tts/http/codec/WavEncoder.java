package dev.parlance.tts.http.codec;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * RIFF/WAVE with 16-bit mono PCM. A stream does not know its length when the header goes out, so
 * the RIFF and data sizes are {@code 0xFFFFFFFF} (what Kokoro-FastAPI and ffmpeg write for pipes;
 * players read to the end); {@link #complete(byte[])} writes the real sizes into a buffered file.
 */
final class WavEncoder implements AudioEncoder {
  static final int HEADER_BYTES = 44;
  private static final int UNKNOWN_SIZE = 0xFFFFFFFF;

  private final int sampleRate;

  WavEncoder(int sampleRate) {
    this.sampleRate = sampleRate;
  }

  @Override
  public byte[] start() {
    ByteBuffer b = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.put(ascii("RIFF")).putInt(UNKNOWN_SIZE).put(ascii("WAVE"));
    b.put(ascii("fmt ")).putInt(16);
    b.putShort((short) 1); // PCM
    b.putShort((short) 1); // mono
    b.putInt(sampleRate);
    b.putInt(sampleRate * 2); // byte rate
    b.putShort((short) 2); // block align
    b.putShort((short) 16); // bits per sample
    b.put(ascii("data")).putInt(UNKNOWN_SIZE);
    return b.array();
  }

  @Override
  public byte[] encode(short[] samples) {
    return PcmEncoder.littleEndian(samples);
  }

  @Override
  public byte[] finish() {
    return new byte[0];
  }

  @Override
  public byte[] complete(byte[] whole) {
    ByteBuffer b = ByteBuffer.wrap(whole).order(ByteOrder.LITTLE_ENDIAN);
    b.putInt(4, whole.length - 8);
    b.putInt(40, whole.length - HEADER_BYTES);
    return whole;
  }

  private static byte[] ascii(String s) {
    return s.getBytes(java.nio.charset.StandardCharsets.US_ASCII);
  }
}
