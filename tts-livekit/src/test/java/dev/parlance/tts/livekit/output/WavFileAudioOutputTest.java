package dev.parlance.tts.livekit.output;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.parlance.tts.livekit.AudioFrame;
import java.nio.file.Path;
import javax.sound.sampled.AudioFormat;
import javax.sound.sampled.AudioInputStream;
import javax.sound.sampled.AudioSystem;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WavFileAudioOutputTest {
  @TempDir Path tmp;

  @Test
  void writesAWavFileTheJdkReadsBackSampleForSample() throws Exception {
    Path file = tmp.resolve("speech.wav");
    short[] a = {0, 1000, -1000, 32767};
    short[] b = {-32768, 5, 6, 7};
    try (WavFileAudioOutput output = new WavFileAudioOutput(file)) {
      output.captureFrame(new AudioFrame(a, 48_000, 1));
      output.captureFrame(new AudioFrame(b, 48_000, 1));
      output.flush();
    }
    try (AudioInputStream in = AudioSystem.getAudioInputStream(file.toFile())) {
      AudioFormat format = in.getFormat();
      assertEquals(48_000f, format.getSampleRate());
      assertEquals(1, format.getChannels());
      assertEquals(16, format.getSampleSizeInBits());
      assertEquals(AudioFormat.Encoding.PCM_SIGNED, format.getEncoding());
      assertEquals(8, in.getFrameLength());
      byte[] bytes = in.readAllBytes();
      short[] read = new short[bytes.length / 2];
      for (int i = 0; i < read.length; i++) {
        read[i] = (short) ((bytes[2 * i] & 0xff) | (bytes[2 * i + 1] << 8));
      }
      assertArrayEquals(new short[] {0, 1000, -1000, 32767, -32768, 5, 6, 7}, read);
    }
  }

  @Test
  void refusesAFrameOfAnotherFormat() {
    try (WavFileAudioOutput output = new WavFileAudioOutput(tmp.resolve("x.wav"))) {
      output.captureFrame(AudioFrame.silence(480, 48_000, 1));
      IllegalArgumentException e =
          assertThrows(
              IllegalArgumentException.class,
              () -> output.captureFrame(AudioFrame.silence(240, 24_000, 1)));
      assertEquals("frame is 24000 Hz x 1; this file is 48000 Hz x 1", e.getMessage());
    }
  }
}
