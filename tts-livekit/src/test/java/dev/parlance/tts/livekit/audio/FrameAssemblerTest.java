package dev.parlance.tts.livekit.audio;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.livekit.AudioFrame;
import dev.parlance.tts.spi.Pcm16;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class FrameAssemblerTest {

  private static float[] ramp(int n) {
    float[] out = new float[n];
    for (int i = 0; i < n; i++) {
      out[i] = (i % 2000) / 2000f - 0.5f;
    }
    return out;
  }

  @ParameterizedTest
  @CsvSource({"48000,10,480", "48000,20,960", "24000,10,240", "24000,20,480", "44100,20,882"})
  void framesHaveTheExactSizeForRateAndDuration(int rate, int millis, int expected) {
    FrameAssembler assembler = new FrameAssembler(rate, 1, Duration.ofMillis(millis));
    assertEquals(expected, assembler.samplesPerFrame());
    List<AudioFrame> frames = new ArrayList<>(assembler.push(ramp(expected * 5 + 7)));
    frames.addAll(assembler.finish());
    assertEquals(6, frames.size());
    for (AudioFrame frame : frames) {
      assertEquals(expected, frame.samplesPerChannel());
      assertEquals(Duration.ofMillis(millis), frame.duration());
      assertEquals(rate, frame.sampleRate());
    }
  }

  @Test
  void oddChunkBoundariesGiveTheSameFramesAsOneChunk() {
    float[] audio = ramp(24000 + 123);
    FrameAssembler whole = new FrameAssembler(24000, 1, Duration.ofMillis(20));
    List<AudioFrame> expected = new ArrayList<>(whole.push(audio));
    expected.addAll(whole.finish());

    FrameAssembler pieces = new FrameAssembler(24000, 1, Duration.ofMillis(20));
    List<AudioFrame> actual = new ArrayList<>();
    Random random = new Random(7);
    for (int at = 0; at < audio.length; ) {
      int n = Math.min(audio.length - at, 1 + random.nextInt(1500));
      actual.addAll(pieces.push(java.util.Arrays.copyOfRange(audio, at, at + n)));
      at += n;
    }
    actual.addAll(pieces.finish());
    assertEquals(expected.size(), actual.size());
    for (int i = 0; i < expected.size(); i++) {
      assertArrayEquals(expected.get(i).data(), actual.get(i).data(), "frame " + i);
    }
  }

  @Test
  void lastCompleteFrameIsHeldBackUntilTheSegmentEnds() {
    FrameAssembler assembler = new FrameAssembler(24000, 1, Duration.ofMillis(10));
    assertEquals(0, assembler.push(ramp(240)).size(), "one frame is complete but may be last");
    assertEquals(1, assembler.push(ramp(240)).size(), "a second frame releases the first");
    List<AudioFrame> rest = assembler.finish();
    assertEquals(1, rest.size(), "the held frame is the final one");
    assertFalse(assembler.hasAudio());
    assertTrue(assembler.finish().isEmpty(), "a segment without audio has no final frame");
  }

  @Test
  void tailIsPaddedWithSilenceAndSamplesAreKept() {
    FrameAssembler assembler = new FrameAssembler(48000, 1, Duration.ofMillis(10));
    float[] audio = ramp(700);
    List<AudioFrame> frames = new ArrayList<>(assembler.push(audio));
    frames.addAll(assembler.finish());
    assertEquals(2, frames.size());
    short[] joined = AudioFrame.concat(frames).data();
    assertEquals(960, joined.length);
    for (int i = 0; i < 700; i++) {
      assertEquals(Pcm16.toShort(audio[i]), joined[i]);
    }
    for (int i = 700; i < 960; i++) {
      assertEquals(0, joined[i]);
    }
  }

  @Test
  void stereoFramesCountSamplesPerChannel() {
    FrameAssembler assembler = new FrameAssembler(48000, 2, Duration.ofMillis(10));
    List<AudioFrame> frames = new ArrayList<>(assembler.push(new float[960 * 2]));
    frames.addAll(assembler.finish());
    assertEquals(2, frames.size());
    assertEquals(480, frames.get(0).samplesPerChannel());
    assertEquals(960, frames.get(0).data().length);
  }

  @Test
  void durationThatIsNotAWholeSampleCountIsRefused() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new FrameAssembler(22050, 1, Duration.ofMillis(10)));
    assertTrue(e.getMessage().contains("22050"), e.getMessage());
  }
}
