package dev.parlance.tts.benchmarks.http;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.Pcm16;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/** The benchmark's trial set-up and tear-down on the tiny fixture, one call of each method. */
class HttpRoundTripBenchmarkTest {

  @Test
  void bothPathsMakeTheSameAudioAndTearDownStopsTheServer() throws Exception {
    HttpRoundTripBenchmark bench = new HttpRoundTripBenchmark();
    bench.cache = "miss";
    bench.setUp();
    int port;
    AudioClip clip;
    byte[] wav;
    byte[] opus;
    AudioChunk firstChunk;
    int firstByte;
    HttpRoundTripBenchmark.Pending pending = new HttpRoundTripBenchmark.Pending();
    try {
      port = bench.port();
      clip = bench.spiInProcess();
      wav = bench.httpLoopback();
      opus = bench.httpLoopbackOpus();
      firstChunk = bench.spiFirstAudio(pending);
      pending.drain();
      firstByte = bench.httpStreamFirstByte(pending);
      pending.drain();
      assertEquals(null, pending.rest, "drained and released");
    } finally {
      bench.tearDown();
    }
    assertTrue(clip.samples().length > 0, "the engine made audio");
    assertArrayEquals(Pcm16.toShorts(clip.samples()), wavSamples(wav), "HTTP audio = SPI audio");
    // the SPI stream starts with the clip's first samples, the streamed WAV with its header
    short[] pcm = Pcm16.toShorts(clip.samples());
    assertArrayEquals(
        Arrays.copyOf(pcm, firstChunk.size()),
        Pcm16.toShorts(firstChunk.samples()),
        "first chunk = start of the clip");
    assertEquals('R', firstByte, "a streamed RIFF/WAVE body");
    assertEquals("OggS", new String(opus, 0, 4, StandardCharsets.US_ASCII));
    assertTrue(
        new String(opus, StandardCharsets.ISO_8859_1).contains("OpusHead"), "an Ogg Opus file");
    assertThrows(
        IOException.class,
        () -> {
          try (Socket socket = new Socket()) {
            socket.connect(new InetSocketAddress("127.0.0.1", port), 1000);
          }
        },
        "the server stopped listening");
  }

  /** The 16-bit samples of a RIFF/WAVE file's {@code data} chunk. */
  private static short[] wavSamples(byte[] wav) {
    ByteBuffer b = ByteBuffer.wrap(wav).order(ByteOrder.LITTLE_ENDIAN);
    assertEquals("RIFF", new String(wav, 0, 4, StandardCharsets.US_ASCII));
    b.position(12);
    while (b.remaining() >= 8) {
      String id = new String(wav, b.position(), 4, StandardCharsets.US_ASCII);
      b.position(b.position() + 4);
      int size = b.getInt();
      if (id.equals("data")) {
        short[] s = new short[size / 2];
        b.asShortBuffer().get(s);
        return s;
      }
      b.position(b.position() + size);
    }
    throw new AssertionError("no data chunk");
  }
}
