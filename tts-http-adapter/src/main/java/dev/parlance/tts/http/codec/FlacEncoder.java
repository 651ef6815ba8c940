package dev.parlance.tts.http.codec;

import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;

/**
 * FLAC for 16-bit mono with FIXED predictors (orders 0-4) and partitioned Rice residuals: the
 * subset every decoder plays, written in-house to avoid an LGPL encoder (ecosystem.md §4.4).
 * Lossless; speech typically shrinks to about half of WAV.
 *
 * <p>A stream's STREAMINFO says "total samples unknown" and carries no MD5 (both allowed by the
 * format); {@link #complete(byte[])} fills both in for a buffered file.
 */
final class FlacEncoder implements AudioEncoder {
  static final int BLOCK_SIZE = 4096;
  private static final int STREAMINFO_OFFSET = 8; // "fLaC" + metadata block header
  private static final int MAX_PARTITION_ORDER = 6;

  private final int sampleRate;
  private final short[] block = new short[BLOCK_SIZE];
  private final MessageDigest md5;
  private int filled;
  private long frameNumber;
  private long totalSamples;

  FlacEncoder(int sampleRate) {
    if (sampleRate <= 0 || sampleRate >= 1 << 20) {
      throw new IllegalArgumentException("FLAC sample rate out of range: " + sampleRate);
    }
    this.sampleRate = sampleRate;
    try {
      md5 = MessageDigest.getInstance("MD5");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("MD5 is required by every JDK", e);
    }
  }

  @Override
  public byte[] start() {
    BitWriter w = new BitWriter();
    w.bytes("fLaC".getBytes(java.nio.charset.StandardCharsets.US_ASCII));
    w.bits(1, 1); // last metadata block
    w.bits(0, 7); // STREAMINFO
    w.bits(34, 24);
    w.bits(BLOCK_SIZE, 16); // min block size (the last block may be shorter)
    w.bits(BLOCK_SIZE, 16); // max block size
    w.bits(0, 24); // min frame size: unknown
    w.bits(0, 24); // max frame size: unknown
    w.bits(sampleRate, 20);
    w.bits(0, 3); // channels - 1
    w.bits(15, 5); // bits per sample - 1
    w.bits(0, 36); // total samples: unknown while streaming
    w.bytes(new byte[16]); // MD5: unknown while streaming
    return w.toByteArray();
  }

  @Override
  public byte[] encode(short[] samples) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (short s : samples) {
      block[filled++] = s;
      if (filled == BLOCK_SIZE) {
        out.writeBytes(frame(block, filled));
        filled = 0;
      }
    }
    return out.toByteArray();
  }

  @Override
  public byte[] finish() {
    byte[] last = filled > 0 ? frame(block, filled) : new byte[0];
    filled = 0;
    return last;
  }

  @Override
  public byte[] complete(byte[] whole) {
    // STREAMINFO bytes 13..17 hold 4 bits of channels/bps followed by the 36-bit sample count.
    int at = STREAMINFO_OFFSET + 13;
    whole[at] = (byte) ((whole[at] & 0xF0) | (int) ((totalSamples >>> 32) & 0x0F));
    whole[at + 1] = (byte) (totalSamples >>> 24);
    whole[at + 2] = (byte) (totalSamples >>> 16);
    whole[at + 3] = (byte) (totalSamples >>> 8);
    whole[at + 4] = (byte) totalSamples;
    System.arraycopy(md5.digest(), 0, whole, STREAMINFO_OFFSET + 18, 16);
    return whole;
  }

  private byte[] frame(short[] samples, int n) {
    for (int i = 0; i < n; i++) {
      md5.update((byte) samples[i]);
      md5.update((byte) (samples[i] >> 8));
    }
    totalSamples += n;

    BitWriter w = new BitWriter();
    w.bits(0xFFF8, 16); // sync code, fixed block size
    w.bits(0b0111, 4); // block size: 16 bits at the end of the header
    w.bits(sampleRateCode(sampleRate), 4);
    w.bits(0, 4); // mono
    w.bits(0b100, 3); // 16 bits per sample
    w.bits(0, 1);
    w.utf8(frameNumber++);
    w.bits(n - 1, 16);
    w.bits(Crc.crc8(w.toByteArray()), 8);

    subframe(w, samples, n);
    w.alignToByte();
    byte[] body = w.toByteArray();
    int crc16 = Crc.crc16(body);
    byte[] out = java.util.Arrays.copyOf(body, body.length + 2);
    out[body.length] = (byte) (crc16 >> 8);
    out[body.length + 1] = (byte) crc16;
    return out;
  }

  /** Picks the FIXED order whose residual is smallest, or CONSTANT for a flat block. */
  private static void subframe(BitWriter w, short[] x, int n) {
    boolean constant = true;
    for (int i = 1; i < n && constant; i++) {
      constant = x[i] == x[0];
    }
    if (constant) {
      w.bits(0, 1);
      w.bits(0, 6); // CONSTANT
      w.bits(0, 1);
      w.bits(x[0] & 0xFFFF, 16);
      return;
    }
    int maxOrder = Math.min(4, n - 1);
    int bestOrder = 0;
    long bestCost = Long.MAX_VALUE;
    int[][] residuals = new int[maxOrder + 1][];
    for (int order = 0; order <= maxOrder; order++) {
      residuals[order] = residual(x, n, order);
      long cost = 0;
      for (int r : residuals[order]) {
        cost += Math.abs((long) r);
      }
      if (cost < bestCost) {
        bestCost = cost;
        bestOrder = order;
      }
    }
    w.bits(0, 1);
    w.bits(0b001000 | bestOrder, 6); // FIXED, order
    w.bits(0, 1);
    for (int i = 0; i < bestOrder; i++) {
      w.bits(x[i] & 0xFFFF, 16); // warm-up samples
    }
    rice(w, residuals[bestOrder], n, bestOrder);
  }

  /** Residual of the order-{@code order} fixed polynomial predictor, from sample {@code order}. */
  private static int[] residual(short[] x, int n, int order) {
    int[] r = new int[n - order];
    for (int i = order; i < n; i++) {
      int e;
      switch (order) {
        case 0:
          e = x[i];
          break;
        case 1:
          e = x[i] - x[i - 1];
          break;
        case 2:
          e = x[i] - 2 * x[i - 1] + x[i - 2];
          break;
        case 3:
          e = x[i] - 3 * x[i - 1] + 3 * x[i - 2] - x[i - 3];
          break;
        default:
          e = x[i] - 4 * x[i - 1] + 6 * x[i - 2] - 4 * x[i - 3] + x[i - 4];
      }
      r[i - order] = e;
    }
    return r;
  }

  /** RESIDUAL_CODING_METHOD_PARTITIONED_RICE with the cheapest partition order. */
  private static void rice(BitWriter w, int[] residual, int n, int order) {
    int bestOrder = 0;
    long bestBits = Long.MAX_VALUE;
    int[] bestParams = null;
    for (int p = 0; p <= MAX_PARTITION_ORDER; p++) {
      if (n % (1 << p) != 0 || (n >> p) <= order) {
        break;
      }
      int partitions = 1 << p;
      int[] params = new int[partitions];
      long bits = 0;
      int at = 0;
      for (int part = 0; part < partitions; part++) {
        int count = (n >> p) - (part == 0 ? order : 0);
        params[part] = riceParameter(residual, at, count);
        bits += 4 + riceBits(residual, at, count, params[part]);
        at += count;
      }
      if (bits < bestBits) {
        bestBits = bits;
        bestOrder = p;
        bestParams = params;
      }
    }
    w.bits(0, 2); // 4-bit Rice parameters
    w.bits(bestOrder, 4);
    int at = 0;
    for (int part = 0; part < bestParams.length; part++) {
      int count = (n >> bestOrder) - (part == 0 ? order : 0);
      int k = bestParams[part];
      w.bits(k, 4);
      for (int i = at; i < at + count; i++) {
        long u = zigzag(residual[i]);
        w.unary(u >>> k);
        if (k > 0) {
          w.bits(u & ((1L << k) - 1), k);
        }
      }
      at += count;
    }
  }

  private static int riceParameter(int[] r, int from, int count) {
    if (count == 0) {
      return 0;
    }
    long sum = 0;
    for (int i = from; i < from + count; i++) {
      sum += zigzag(r[i]);
    }
    long mean = sum / count;
    int k = 0;
    while (k < 14 && (1L << (k + 1)) <= mean) {
      k++;
    }
    return k;
  }

  private static long riceBits(int[] r, int from, int count, int k) {
    long bits = 0;
    for (int i = from; i < from + count; i++) {
      bits += (zigzag(r[i]) >>> k) + 1 + k;
    }
    return bits;
  }

  private static long zigzag(int v) {
    return ((long) v << 1) ^ ((long) v >> 63);
  }

  private static int sampleRateCode(int rate) {
    switch (rate) {
      case 8_000:
        return 0b0100;
      case 16_000:
        return 0b0101;
      case 22_050:
        return 0b0110;
      case 24_000:
        return 0b0111;
      case 32_000:
        return 0b1000;
      case 44_100:
        return 0b1001;
      case 48_000:
        return 0b1010;
      case 96_000:
        return 0b1011;
      default:
        return 0b0000; // from STREAMINFO
    }
  }

  /** MSB-first bit packing. */
  private static final class BitWriter {
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();
    private long acc;
    private int count;

    void bits(long value, int n) {
      for (int i = n - 1; i >= 0; i--) {
        acc = (acc << 1) | ((value >>> i) & 1);
        if (++count == 8) {
          out.write((int) acc);
          acc = 0;
          count = 0;
        }
      }
    }

    void unary(long zeros) {
      for (long i = 0; i < zeros; i++) {
        bits(0, 1);
      }
      bits(1, 1);
    }

    void bytes(byte[] b) {
      for (byte v : b) {
        bits(v & 0xFF, 8);
      }
    }

    /** FLAC's UTF-8-like coding of frame numbers. */
    void utf8(long v) {
      if (v < 0x80) {
        bits(v, 8);
        return;
      }
      int extra = v < 0x800 ? 1 : v < 0x10000 ? 2 : v < 0x200000 ? 3 : v < 0x4000000 ? 4 : 5;
      int lead = (0xFF00 >> (extra + 1)) & 0xFF;
      bits(lead | (v >>> (6 * extra)), 8);
      for (int i = extra - 1; i >= 0; i--) {
        bits(0x80 | ((v >>> (6 * i)) & 0x3F), 8);
      }
    }

    void alignToByte() {
      while (count != 0) {
        bits(0, 1);
      }
    }

    byte[] toByteArray() {
      return out.toByteArray();
    }
  }

  /** FLAC's CRC-8 (poly 0x07) and CRC-16 (poly 0x8005), MSB first, initial value 0. */
  private static final class Crc {
    static int crc8(byte[] data) {
      int crc = 0;
      for (byte b : data) {
        crc ^= b & 0xFF;
        for (int i = 0; i < 8; i++) {
          crc = (crc & 0x80) != 0 ? ((crc << 1) ^ 0x07) & 0xFF : (crc << 1) & 0xFF;
        }
      }
      return crc;
    }

    static int crc16(byte[] data) {
      int crc = 0;
      for (byte b : data) {
        crc ^= (b & 0xFF) << 8;
        for (int i = 0; i < 8; i++) {
          crc = (crc & 0x8000) != 0 ? ((crc << 1) ^ 0x8005) & 0xFFFF : (crc << 1) & 0xFFFF;
        }
      }
      return crc;
    }
  }
}
