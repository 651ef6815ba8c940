package dev.parlance.tts.http.codec;

import io.github.jaredmdobson.concentus.OpusApplication;
import io.github.jaredmdobson.concentus.OpusEncoder;
import io.github.jaredmdobson.concentus.OpusException;
import io.github.jaredmdobson.concentus.OpusSignal;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Opus in Ogg (RFC 7845) from 48 kHz mono PCM, encoded with concentus (a pure-Java libopus port) in
 * 20 ms frames. Each {@link #encode} call ends with a page flush so a stream's audio leaves as soon
 * as it is encoded.
 */
final class OggOpusEncoder implements AudioEncoder {
  /** Opus always runs at 48 kHz here, so no rate negotiation is needed. */
  static final int SAMPLE_RATE = 48_000;

  private static final int FRAME = 960; // 20 ms at 48 kHz
  private static final int MAX_PACKET = 4000;

  private final OpusEncoder opus;
  private final OggPageWriter ogg = new OggPageWriter(ThreadLocalRandom.current().nextInt());
  private final int preSkip;
  private final int inputRate;
  private final short[] frame = new short[FRAME];
  private final byte[] packet = new byte[MAX_PACKET];
  private int filled;
  private long samplesIn;
  private long samplesEncoded;
  private long granule;

  /**
   * @param inputRate the rate the audio had before it was resampled to 48 kHz (OpusHead records it)
   * @param bitrate target bits per second
   */
  OggOpusEncoder(int inputRate, int bitrate) {
    try {
      opus = new OpusEncoder(SAMPLE_RATE, 1, OpusApplication.OPUS_APPLICATION_AUDIO);
    } catch (OpusException e) {
      throw new IllegalStateException("cannot create Opus encoder", e);
    }
    opus.setBitrate(bitrate);
    opus.setSignalType(OpusSignal.OPUS_SIGNAL_VOICE);
    opus.setComplexity(5);
    this.preSkip = opus.getLookahead();
    this.inputRate = inputRate;
    this.granule = preSkip;
  }

  @Override
  public byte[] start() {
    ByteBuffer head = ByteBuffer.allocate(19).order(ByteOrder.LITTLE_ENDIAN);
    head.put("OpusHead".getBytes(StandardCharsets.US_ASCII));
    head.put((byte) 1); // version
    head.put((byte) 1); // channels
    head.putShort((short) preSkip);
    head.putInt(inputRate);
    head.putShort((short) 0); // output gain
    head.put((byte) 0); // mapping family: mono/stereo
    byte[] vendor = "parlance".getBytes(StandardCharsets.US_ASCII);
    ByteBuffer tags = ByteBuffer.allocate(8 + 4 + vendor.length + 4).order(ByteOrder.LITTLE_ENDIAN);
    tags.put("OpusTags".getBytes(StandardCharsets.US_ASCII));
    tags.putInt(vendor.length).put(vendor);
    tags.putInt(0); // no user comments
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ogg.add(head.array(), 0);
    out.writeBytes(ogg.flush(0, false)); // OpusHead alone on the first page
    ogg.add(tags.array(), 0);
    out.writeBytes(ogg.flush(0, false));
    return out.toByteArray();
  }

  @Override
  public byte[] encode(short[] samples) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (short s : samples) {
      frame[filled++] = s;
      if (filled == FRAME) {
        out.writeBytes(packet(FRAME));
      }
    }
    out.writeBytes(ogg.flush());
    return out.toByteArray();
  }

  @Override
  public byte[] finish() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    // The encoder holds back preSkip samples: feed silence until all real input has come out.
    while (samplesEncoded < samplesIn + filled + preSkip) {
      int real = filled;
      java.util.Arrays.fill(frame, filled, FRAME, (short) 0);
      out.writeBytes(packet(real));
    }
    // The last page's granule marks where playback ends: decoders trim the padding after it.
    out.writeBytes(ogg.flush(preSkip + samplesIn, true));
    return out.toByteArray();
  }

  private byte[] packet(int realSamples) {
    int length;
    try {
      length = opus.encode(frame, 0, FRAME, packet, 0, MAX_PACKET);
    } catch (OpusException e) {
      throw new IllegalStateException("Opus encoding failed", e);
    }
    filled = 0;
    samplesIn += realSamples;
    samplesEncoded += FRAME;
    granule += FRAME;
    return ogg.add(java.util.Arrays.copyOf(packet, length), granule);
  }
}
