package dev.parlance.tts.spi;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class AudioTest {

  @Test
  void formatMath() {
    AudioFormat f = AudioFormat.PARLER;
    assertEquals(44_100, f.framesIn(Duration.ofSeconds(1)));
    assertEquals(22_050, f.framesIn(Duration.ofMillis(500)));
    assertEquals(Duration.ofMillis(20), f.durationOf(882));
    assertEquals(0.5, f.secondsOf(22_050));
    assertEquals(88_200, f.pcm16BytesPerSecond());
    AudioFormat stereo = new AudioFormat(48_000, 2);
    assertEquals(Duration.ofMillis(10), stereo.durationOf(960));
    assertEquals(192_000, stereo.pcm16BytesPerSecond());
    assertThrows(IllegalArgumentException.class, () -> new AudioFormat(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new AudioFormat(16_000, 0));
  }

  @Test
  void pcm16ClipsRoundsAndIsLittleEndian() {
    float[] samples = {0f, 1f, -1f, 2f, -3f, 0.5f, Float.NaN};
    short[] s = Pcm16.toShorts(samples);
    assertArrayEquals(new short[] {0, 32767, -32767, 32767, -32767, 16384, 0}, s);
    byte[] b = Pcm16.toLittleEndianBytes(new float[] {0.5f, -1f});
    // 16384 = 0x4000, -32767 = 0x8001
    assertArrayEquals(new byte[] {0x00, 0x40, 0x01, (byte) 0x80}, b);
    float[] back = Pcm16.toFloats(new short[] {32767, -32767, 0});
    assertArrayEquals(new float[] {1f, -1f, 0f}, back);
  }

  @Test
  void clipConcatenatesChunksInOrder() {
    AudioFormat f = AudioFormat.mono(10);
    AudioChunk a = new AudioChunk(new float[] {1, 2}, f, 0, 0, false);
    AudioChunk b = new AudioChunk(new float[] {3}, f, 1, 2, false);
    AudioChunk c = new AudioChunk(new float[0], f, 2, 3, true);
    AudioClip clip = AudioClip.concat(List.of(a, b, c), f);
    assertArrayEquals(new float[] {1, 2, 3}, clip.samples());
    assertEquals(Duration.ofMillis(300), clip.duration());
    assertEquals(Duration.ofMillis(200), b.startTime());
    AudioChunk other = new AudioChunk(new float[] {1}, AudioFormat.mono(20), 3, 3, true);
    assertThrows(IllegalArgumentException.class, () -> AudioClip.concat(List.of(a, other), f));
  }

  @Test
  void chunkRejectsNegativePositions() {
    AudioFormat f = AudioFormat.mono(10);
    assertThrows(
        IllegalArgumentException.class, () -> new AudioChunk(new float[0], f, -1, 0, true));
    assertThrows(
        IllegalArgumentException.class, () -> new AudioChunk(new float[0], f, 0, -1, true));
  }

  @Test
  void overloadRetryAfterRoundsUpToWholeSeconds() {
    assertEquals(1, new OverloadedException("busy", Duration.ZERO).retryAfterSeconds());
    assertEquals(3, new OverloadedException("busy", Duration.ofMillis(2001)).retryAfterSeconds());
    assertEquals(2, new OverloadedException("busy", Duration.ofSeconds(2)).retryAfterSeconds());
    assertEquals(TtsException.Kind.OVERLOADED, new OverloadedException("b", Duration.ZERO).kind());
    assertEquals(TtsException.Kind.CANCELLED, new CancelledException("gone", false).kind());
    assertEquals(TtsException.Kind.UNAVAILABLE, new EngineUnavailableException("x").kind());
    assertEquals(TtsException.Kind.INTERNAL, new EngineFailureException("x").kind());
  }

  @Test
  void healthReadinessNeedsLoadedWarmAndMemory() {
    assertEquals(true, new EngineHealth(true, "cpu", true, false, true, "ok").ready());
    assertEquals(false, new EngineHealth(true, "cpu", true, false, false, "warming").ready());
    assertEquals(false, new EngineHealth(false, "cpu", true, false, true, "loading").ready());
    assertEquals(false, new EngineHealth(true, "cpu", false, false, true, "low memory").ready());
    EngineHealth withoutFigures = new EngineHealth(true, "cpu", true, false, true, "ok");
    assertEquals(-1, withoutFigures.memoryFreeBytes());
    assertEquals(-1, withoutFigures.memoryTotalBytes());
    EngineHealth gpu =
        new EngineHealth(true, "cuda:0", true, true, true, "ready", 3L << 30, 8L << 30);
    assertEquals(3L << 30, gpu.memoryFreeBytes());
    assertEquals(8L << 30, gpu.memoryTotalBytes());
  }
}
