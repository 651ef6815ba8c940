package dev.parlance.tts.http.codec;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes packets into Ogg pages (RFC 3533) for one logical stream. Small enough to own rather than
 * depend on: header, lacing table, CRC-32 with polynomial 0x04C11DB7.
 */
final class OggPageWriter {
  private static final int[] CRC_TABLE = crcTable();
  private static final int MAX_SEGMENTS = 255;

  private final int serial;
  private final List<byte[]> pending = new ArrayList<>();
  private int pendingSegments;
  private int sequence;
  private boolean first = true;
  private long lastGranule;

  OggPageWriter(int serial) {
    this.serial = serial;
  }

  /** Queues a packet; returns any page the queue filled up. */
  byte[] add(byte[] packet, long granule) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    int segments = packet.length / 255 + 1;
    if (pendingSegments + segments > MAX_SEGMENTS) {
      out.writeBytes(flush(lastGranule, false));
    }
    pending.add(packet);
    pendingSegments += segments;
    lastGranule = granule;
    return out.toByteArray();
  }

  /** Writes the queued packets as one page ending at {@code granule}. */
  byte[] flush(long granule, boolean endOfStream) {
    if (pending.isEmpty() && !endOfStream) {
      return new byte[0];
    }
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    ByteArrayOutputStream lacing = new ByteArrayOutputStream();
    for (byte[] packet : pending) {
      int left = packet.length;
      while (left >= 255) {
        lacing.write(255);
        left -= 255;
      }
      lacing.write(left);
      body.writeBytes(packet);
    }
    pending.clear();
    pendingSegments = 0;
    byte[] lace = lacing.toByteArray();

    byte[] page = new byte[27 + lace.length + body.size()];
    page[0] = 'O';
    page[1] = 'g';
    page[2] = 'g';
    page[3] = 'S';
    page[4] = 0; // version
    page[5] = (byte) ((first ? 0x02 : 0) | (endOfStream ? 0x04 : 0));
    putLong(page, 6, granule);
    putInt(page, 14, serial);
    putInt(page, 18, sequence++);
    page[26] = (byte) lace.length;
    System.arraycopy(lace, 0, page, 27, lace.length);
    System.arraycopy(body.toByteArray(), 0, page, 27 + lace.length, body.size());
    putInt(page, 22, crc(page));
    first = false;
    return page;
  }

  /** Flushes queued packets at the granule of the last one added. */
  byte[] flush() {
    return flush(lastGranule, false);
  }

  static int crc(byte[] page) {
    int crc = 0;
    for (byte b : page) {
      crc = (crc << 8) ^ CRC_TABLE[((crc >>> 24) ^ (b & 0xFF)) & 0xFF];
    }
    return crc;
  }

  private static int[] crcTable() {
    int[] table = new int[256];
    for (int i = 0; i < 256; i++) {
      int r = i << 24;
      for (int j = 0; j < 8; j++) {
        r = (r & 0x80000000) != 0 ? (r << 1) ^ 0x04C11DB7 : r << 1;
      }
      table[i] = r;
    }
    return table;
  }

  private static void putInt(byte[] b, int at, int v) {
    for (int i = 0; i < 4; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
  }

  private static void putLong(byte[] b, int at, long v) {
    for (int i = 0; i < 8; i++) {
      b[at + i] = (byte) (v >>> (8 * i));
    }
  }
}
