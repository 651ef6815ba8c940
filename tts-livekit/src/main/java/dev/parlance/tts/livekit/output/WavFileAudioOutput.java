package dev.parlance.tts.livekit.output;

import dev.parlance.tts.livekit.AudioFrame;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;

/**
 * Writes an agent's speech to a 16-bit PCM WAV file, for offline runs and inspection. The format is
 * fixed by the first frame; the header's sizes are written on {@link #close()}. {@link
 * #clearBuffer()} does nothing: a file has no playout queue.
 */
public final class WavFileAudioOutput implements AudioOutput {
  private static final int HEADER_BYTES = 44;

  private final RandomAccessFile file;
  private final Path path;
  private int sampleRate;
  private int channels;
  private long dataBytes;
  private boolean closed;

  public WavFileAudioOutput(Path path) {
    this.path = path;
    try {
      this.file = new RandomAccessFile(path.toFile(), "rw");
      file.setLength(0);
      file.write(new byte[HEADER_BYTES]);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot create " + path, e);
    }
  }

  /** The file written. */
  public Path path() {
    return path;
  }

  @Override
  public synchronized void captureFrame(AudioFrame frame) {
    if (closed) {
      throw new IllegalStateException("output is closed");
    }
    if (sampleRate == 0) {
      sampleRate = frame.sampleRate();
      channels = frame.numChannels();
    } else if (frame.sampleRate() != sampleRate || frame.numChannels() != channels) {
      throw new IllegalArgumentException(
          "frame is "
              + frame.sampleRate()
              + " Hz x "
              + frame.numChannels()
              + "; this file is "
              + sampleRate
              + " Hz x "
              + channels);
    }
    byte[] bytes = frame.toLittleEndianBytes();
    try {
      file.write(bytes);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot write " + path, e);
    }
    dataBytes += bytes.length;
  }

  @Override
  public void flush() {}

  @Override
  public void clearBuffer() {}

  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    try (file) {
      ByteBuffer h = ByteBuffer.allocate(HEADER_BYTES).order(ByteOrder.LITTLE_ENDIAN);
      int rate = sampleRate == 0 ? 48_000 : sampleRate;
      int ch = channels == 0 ? 1 : channels;
      h.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      h.putInt((int) (36 + dataBytes));
      h.put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      h.putInt(16).putShort((short) 1).putShort((short) ch).putInt(rate);
      h.putInt(rate * ch * 2).putShort((short) (ch * 2)).putShort((short) 16);
      h.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
      h.putInt((int) dataBytes);
      file.seek(0);
      file.write(h.array());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot finish " + path, e);
    }
  }
}
