package dev.parlance.tts.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.github.jaredmdobson.concentus.OpusDecoder;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.jflac.FLACDecoder;
import org.jflac.PCMProcessor;
import org.jflac.metadata.StreamInfo;
import org.jflac.util.ByteData;

/**
 * Test decoders for what the server sends: WAV and PCM by reading the bytes, FLAC with jflac, Ogg
 * Opus by reading the pages and decoding packets with concentus.
 *
 * @param samples mono 16-bit samples
 * @param sampleRate their rate
 */
public record Decoded(short[] samples, int sampleRate) {

  public double seconds() {
    return (double) samples.length / sampleRate;
  }

  /** Root mean square in [0, 1]. */
  public double rms() {
    double sum = 0;
    for (short s : samples) {
      sum += (s / 32768.0) * (s / 32768.0);
    }
    return Math.sqrt(sum / Math.max(1, samples.length));
  }

  /**
   * The share of the signal's energy at {@code hz} (Goertzel): about 1 for a pure tone at that
   * frequency, near 0 for one elsewhere.
   */
  public double toneShare(double hz) {
    double w = 2 * Math.PI * hz / sampleRate;
    double re = 0;
    double im = 0;
    double energy = 0;
    for (int i = 0; i < samples.length; i++) {
      double x = samples[i] / 32768.0;
      re += x * Math.cos(w * i);
      im -= x * Math.sin(w * i);
      energy += x * x;
    }
    return 2 * (re * re + im * im) / (samples.length * energy);
  }

  /** Exactly the reference, give or take one step (lossless formats, resampling rounding). */
  public void assertLossless(short[] reference) {
    assertEquals(reference.length, samples.length, "sample count");
    assertSounds(reference);
    for (int i = 0; i < reference.length; i++) {
      if (Math.abs(reference[i] - samples[i]) > 1) {
        throw new AssertionError(
            "sample " + i + " is " + samples[i] + ", reference " + reference[i]);
      }
    }
  }

  /**
   * The reference through a lossy codec: same length, and the loudness of every 20 ms frame within
   * 3 dB of the reference's (a perceptual codec keeps the envelope, not the waveform of noise).
   */
  public void assertLossy(short[] reference) {
    assertEquals(reference.length, samples.length, "sample count");
    assertSounds(reference);
    int frame = sampleRate / 50;
    double refMax = 0;
    for (int at = 0; at + frame <= reference.length; at += frame) {
      refMax = Math.max(refMax, frameRms(reference, at, frame));
    }
    int compared = 0;
    for (int at = 0; at + frame <= reference.length; at += frame) {
      double ref = frameRms(reference, at, frame);
      if (ref < refMax / 30) {
        continue; // quiet frames: codec noise dominates the ratio
      }
      double db = 20 * Math.log10(frameRms(samples, at, frame) / ref);
      assertTrue(Math.abs(db) < 3, "frame at " + at + " is " + db + " dB off the reference");
      compared++;
    }
    assertTrue(compared > 0, "no loud frame to compare");
  }

  private static void assertSounds(short[] reference) {
    double rms = new Decoded(reference, 1).rms();
    assertTrue(rms > 1e-3, "the engine produced sound, rms " + rms);
  }

  private static double frameRms(short[] s, int from, int n) {
    double sum = 0;
    for (int i = from; i < from + n; i++) {
      sum += (double) s[i] * s[i];
    }
    return Math.sqrt(sum / n) + 1e-9;
  }

  /** Asserts the audio is clearly not silence. */
  public void assertAudible() {
    assertTrue(rms() > 0.1, "expected sound, rms " + rms());
  }

  public static Decoded pcm(byte[] bytes, int sampleRate) {
    assertEquals(0, bytes.length % 2, "odd PCM byte count");
    short[] s = new short[bytes.length / 2];
    ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN).asShortBuffer().get(s);
    return new Decoded(s, sampleRate);
  }

  /** A WAV whose sizes may be the streaming sentinel 0xFFFFFFFF. */
  public static Decoded wav(byte[] bytes) {
    ByteBuffer b = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals("RIFF", ascii(bytes, 0, 4));
    assertEquals("WAVE", ascii(bytes, 8, 4));
    assertEquals("fmt ", ascii(bytes, 12, 4));
    assertEquals(1, b.getShort(20), "PCM");
    assertEquals(1, b.getShort(22), "mono");
    int rate = b.getInt(24);
    assertEquals(16, b.getShort(34), "bits");
    assertEquals("data", ascii(bytes, 36, 4));
    int dataSize = b.getInt(40);
    byte[] data = Arrays.copyOfRange(bytes, 44, bytes.length);
    if (dataSize != -1) {
      assertEquals(data.length, dataSize, "data chunk size");
      assertEquals(bytes.length - 8, b.getInt(4), "RIFF size");
    }
    return pcm(data, rate);
  }

  public static Decoded flac(byte[] bytes) throws Exception {
    FLACDecoder decoder = new FLACDecoder(new ByteArrayInputStream(bytes));
    ByteArrayOutputStream pcm = new ByteArrayOutputStream();
    int[] rate = new int[1];
    decoder.addPCMProcessor(
        new PCMProcessor() {
          @Override
          public void processStreamInfo(StreamInfo info) {
            rate[0] = info.getSampleRate();
            assertEquals(1, info.getChannels());
            assertEquals(16, info.getBitsPerSample());
          }

          @Override
          public void processPCM(ByteData data) {
            pcm.write(data.getData(), 0, data.getLen());
          }
        });
    decoder.decode();
    assertEquals(0, decoder.getBadFrames(), "FLAC frames with CRC errors");
    return pcm(pcm.toByteArray(), rate[0]);
  }

  /** Ogg pages checked (capture pattern, CRC), Opus packets decoded at 48 kHz. */
  public static Decoded oggOpus(byte[] bytes) throws Exception {
    List<byte[]> packets = new ArrayList<>();
    ByteArrayOutputStream partial = new ByteArrayOutputStream();
    long lastGranule = 0;
    boolean sawEos = false;
    int at = 0;
    while (at < bytes.length) {
      assertEquals("OggS", ascii(bytes, at, 4), "page capture pattern at " + at);
      ByteBuffer h = ByteBuffer.wrap(bytes, at, 27).order(ByteOrder.LITTLE_ENDIAN);
      int flags = bytes[at + 5];
      long granule = ByteBuffer.wrap(bytes, at + 6, 8).order(ByteOrder.LITTLE_ENDIAN).getLong();
      int crc = ByteBuffer.wrap(bytes, at + 22, 4).order(ByteOrder.LITTLE_ENDIAN).getInt();
      int segments = bytes[at + 26] & 0xFF;
      int bodyLen = 0;
      for (int i = 0; i < segments; i++) {
        bodyLen += bytes[at + 27 + i] & 0xFF;
      }
      int pageLen = 27 + segments + bodyLen;
      byte[] page = Arrays.copyOfRange(bytes, at, at + pageLen);
      Arrays.fill(page, 22, 26, (byte) 0);
      assertEquals(crc, oggCrc(page), "Ogg page CRC");
      int body = at + 27 + segments;
      for (int i = 0; i < segments; i++) {
        int lace = bytes[at + 27 + i] & 0xFF;
        partial.write(bytes, body, lace);
        body += lace;
        if (lace < 255) {
          packets.add(partial.toByteArray());
          partial.reset();
        }
      }
      if ((flags & 0x04) != 0) {
        sawEos = true;
      }
      lastGranule = granule;
      at += pageLen;
      h.clear();
    }
    assertTrue(sawEos, "last page must have end-of-stream set");
    assertEquals("OpusHead", ascii(packets.get(0), 0, 8));
    assertEquals("OpusTags", ascii(packets.get(1), 0, 8));
    int preSkip = ByteBuffer.wrap(packets.get(0), 10, 2).order(ByteOrder.LITTLE_ENDIAN).getShort();
    OpusDecoder opus = new OpusDecoder(48_000, 1);
    ByteArrayOutputStream pcm = new ByteArrayOutputStream();
    short[] frame = new short[5760];
    for (byte[] p : packets.subList(2, packets.size())) {
      int n = opus.decode(p, 0, p.length, frame, 0, frame.length, false);
      for (int i = 0; i < n; i++) {
        pcm.write(frame[i]);
        pcm.write(frame[i] >> 8);
      }
    }
    Decoded all = pcm(pcm.toByteArray(), 48_000);
    // Playback is the decoded audio minus pre-skip, cut at the final granule position.
    int end = (int) Math.min(all.samples.length, lastGranule);
    return new Decoded(Arrays.copyOfRange(all.samples, preSkip, end), 48_000);
  }

  private static int oggCrc(byte[] page) {
    int crc = 0;
    for (byte b : page) {
      crc ^= (b & 0xFF) << 24;
      for (int i = 0; i < 8; i++) {
        crc = (crc & 0x80000000) != 0 ? (crc << 1) ^ 0x04C11DB7 : crc << 1;
      }
    }
    return crc;
  }

  private static String ascii(byte[] b, int from, int len) {
    return new String(b, from, len, StandardCharsets.US_ASCII);
  }
}
