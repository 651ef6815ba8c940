package dev.parlance.tts.http.codec;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.http.Decoded;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.Pcm16;
import java.io.ByteArrayOutputStream;
import java.security.MessageDigest;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CodecTest {
  /** 1.3 s of a 440 Hz tone with noise: not a multiple of any block or frame size. */
  private static float[] signal(int rate) {
    Random random = new Random(1);
    float[] s = new float[(int) (rate * 1.3) + 17];
    for (int i = 0; i < s.length; i++) {
      s[i] = (float) (0.6 * Math.sin(2 * Math.PI * 440 * i / rate) + 0.05 * random.nextGaussian());
    }
    return s;
  }

  private static byte[] encode(AudioEncoder encoder, short[] pcm, int piece, boolean complete) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(encoder.start());
    for (int i = 0; i < pcm.length; i += piece) {
      out.writeBytes(
          encoder.encode(java.util.Arrays.copyOfRange(pcm, i, Math.min(pcm.length, i + piece))));
    }
    out.writeBytes(encoder.finish());
    byte[] bytes = out.toByteArray();
    return complete ? encoder.complete(bytes) : bytes;
  }

  @Test
  void flacIsLosslessStreamedAndBuffered() throws Exception {
    short[] pcm = Pcm16.toShorts(signal(44_100));
    for (boolean complete : new boolean[] {false, true}) {
      byte[] flac = encode(new FlacEncoder(44_100), pcm, 1000, complete);
      Decoded d = Decoded.flac(flac);
      assertEquals(44_100, d.sampleRate());
      assertArrayEquals(pcm, d.samples(), "FLAC must decode to the exact input");
      assertTrue(flac.length < pcm.length * 2, "FLAC should be smaller than raw PCM");
      if (complete) {
        // STREAMINFO: total samples and the MD5 of the decoded PCM.
        long total =
            ((flac[21] & 0x0FL) << 32)
                | ((flac[22] & 0xFFL) << 24)
                | ((flac[23] & 0xFFL) << 16)
                | ((flac[24] & 0xFFL) << 8)
                | (flac[25] & 0xFFL);
        assertEquals(pcm.length, total);
        byte[] md5 = MessageDigest.getInstance("MD5").digest(PcmEncoder.littleEndian(pcm));
        assertArrayEquals(md5, java.util.Arrays.copyOfRange(flac, 26, 42));
      }
    }
  }

  @Test
  void flacHandlesSilenceAndFullScale() throws Exception {
    short[] pcm = new short[9000];
    for (int i = 4096; i < pcm.length; i++) {
      pcm[i] = (i % 2 == 0) ? Short.MAX_VALUE : Short.MIN_VALUE;
    }
    Decoded d = Decoded.flac(encode(new FlacEncoder(24_000), pcm, 4096, true));
    assertArrayEquals(pcm, d.samples());
    assertEquals(24_000, d.sampleRate());
  }

  @Test
  void wavHeaderStreamedHasSentinelsBufferedHasSizes() {
    short[] pcm = Pcm16.toShorts(signal(24_000));
    byte[] streamed = encode(new WavEncoder(24_000), pcm, 500, false);
    assertEquals(-1, java.nio.ByteBuffer.wrap(streamed, 40, 4).getInt());
    assertArrayEquals(pcm, Decoded.wav(streamed).samples());
    byte[] buffered = encode(new WavEncoder(24_000), pcm, 500, true);
    Decoded d = Decoded.wav(buffered); // checks RIFF and data sizes
    assertEquals(24_000, d.sampleRate());
    assertArrayEquals(pcm, d.samples());
  }

  @Test
  void oggOpusDecodesToTheSameToneAndLength() throws Exception {
    float[] s = signal(48_000);
    byte[] ogg = encode(new OggOpusEncoder(44_100, 48_000), Pcm16.toShorts(s), 960 * 3 + 7, false);
    Decoded d = Decoded.oggOpus(ogg);
    assertEquals(48_000, d.sampleRate());
    assertEquals(s.length, d.samples().length, "granule position trims to the input length");
    assertTrue(d.toneShare(440) > 0.9, "440 Hz share " + d.toneShare(440));
    assertTrue(d.rms() > 0.3, "rms " + d.rms());
  }

  @Test
  void oggOpusKeepsTheWholeTailWhateverTheLength() throws Exception {
    // Frame-aligned lengths used to lose the encoder's look-ahead at the end.
    for (int length : new int[] {960 * 50, 960 * 50 + 1, 48_960, 100}) {
      float[] s = java.util.Arrays.copyOf(signal(48_000), length);
      byte[] ogg = encode(new OggOpusEncoder(48_000, 48_000), Pcm16.toShorts(s), 4410, false);
      assertEquals(length, Decoded.oggOpus(ogg).samples().length, "length " + length);
    }
  }

  @Test
  void transcoderResamplesPcmTo24kAndOpusTo48k() {
    float[] s = signal(44_100);
    Transcoder pcm = new Transcoder(ResponseFormat.PCM, AudioFormat.PARLER, 0);
    assertEquals(24_000, pcm.sampleRate());
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    out.writeBytes(pcm.start());
    out.writeBytes(pcm.accept(java.util.Arrays.copyOfRange(s, 0, 10_000)));
    out.writeBytes(pcm.accept(java.util.Arrays.copyOfRange(s, 10_000, s.length)));
    out.writeBytes(pcm.finish());
    Decoded d = Decoded.pcm(out.toByteArray(), 24_000);
    assertEquals(s.length * 24_000.0 / 44_100, d.samples().length, 2);
    assertTrue(d.toneShare(440) > 0.9, "440 Hz share " + d.toneShare(440));
    assertEquals(48_000, new Transcoder(ResponseFormat.OPUS, AudioFormat.PARLER, 0).sampleRate());
    assertEquals(44_100, new Transcoder(ResponseFormat.WAV, AudioFormat.PARLER, 0).sampleRate());
  }

  @Test
  void unsupportedFormatsAndRatesNameTheField() {
    InvalidRequestException mp3 =
        assertThrows(
            InvalidRequestException.class, () -> ResponseFormat.parse("mp3", "response_format"));
    assertEquals("response_format", mp3.field());
    assertTrue(mp3.getMessage().contains("opus"), mp3.getMessage());
    assertEquals(
        "response_format",
        assertThrows(
                InvalidRequestException.class,
                () -> ResponseFormat.parse("ogg-vorbis", "response_format"))
            .field());
    assertEquals(
        "sample_rate",
        assertThrows(
                InvalidRequestException.class,
                () -> new Transcoder(ResponseFormat.WAV, AudioFormat.PARLER, 12_345))
            .field());
    assertEquals(
        "sample_rate",
        assertThrows(
                InvalidRequestException.class,
                () -> new Transcoder(ResponseFormat.OPUS, AudioFormat.PARLER, 24_000))
            .field());
  }
}
