package dev.parlance.tts.livekit.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.core.audio.Resampler;
import dev.parlance.tts.livekit.AudioFrame;
import dev.parlance.tts.livekit.ConnOptions;
import dev.parlance.tts.livekit.SynthesizedAudio;
import dev.parlance.tts.livekit.testing.ScriptedEngine;
import dev.parlance.tts.spi.Pcm16;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Parler's 44.1 kHz out at LiveKit's rates, chunk by chunk: frequency, level and joins kept. */
@Timeout(30)
class EngineTtsResamplingTest {
  private static final double TONE_HZ = 1000;
  private static final double AMPLITUDE = 0.5; // ScriptedEngine's tone

  @ParameterizedTest
  @CsvSource({"48000,10", "48000,20", "24000,20"})
  void toneKeepsFrequencyLevelAndHasNoClicksAtChunkJoins(int outRate, int frameMillis) {
    // 1037-sample chunks: engine chunks, resampler output and frames never line up
    ScriptedEngine engine =
        new ScriptedEngine(44_100, TONE_HZ, 1037, Duration.ZERO, Duration.ZERO, 441);
    String text = "x".repeat(100); // 100 * 441 samples = 1 s at 44.1 kHz
    List<SynthesizedAudio> frames = new ArrayList<>();
    try (EngineTts tts =
        EngineTts.builder(engine)
            .sampleRate(outRate)
            .frameDuration(Duration.ofMillis(frameMillis))
            .build()) {
      assertEquals(outRate, tts.sampleRate());
      tts.synthesize(text, ConnOptions.NO_RETRY).forEachRemaining(frames::add);
    }
    int frameSamples = outRate * frameMillis / 1000;
    assertTrue(frames.stream().allMatch(f -> f.frame().samplesPerChannel() == frameSamples));
    assertTrue(frames.stream().allMatch(f -> f.frame().sampleRate() == outRate));
    short[] pcm = AudioFrame.concat(frames.stream().map(SynthesizedAudio::frame).toList()).data();

    // streamed conversion equals converting the whole signal at once: joins are seamless
    float[] whole = Resampler.resample(engine.expectedSamples(text), 44_100, outRate);
    assertEquals(outRate, whole.length);
    for (int i = 0; i < whole.length; i++) {
      assertEquals(Pcm16.toShort(whole[i]), pcm[i], "sample " + i);
    }

    // steady state, away from the start and end transients
    int from = outRate / 10;
    int to = whole.length - outRate / 10;
    double sumSquares = 0;
    int crossings = 0;
    double maxStep = 0;
    for (int i = from; i < to; i++) {
      double x = pcm[i] / 32767.0;
      sumSquares += x * x;
      double prev = pcm[i - 1] / 32767.0;
      if ((prev < 0) != (x < 0)) {
        crossings++;
      }
      maxStep = Math.max(maxStep, Math.abs(x - prev));
    }
    double rms = Math.sqrt(sumSquares / (to - from));
    double seconds = (double) (to - from) / outRate;
    double frequency = crossings / 2.0 / seconds;
    assertEquals(TONE_HZ, frequency, 5, "frequency kept");
    assertEquals(AMPLITUDE / Math.sqrt(2), rms, 0.01, "level kept");
    // a sine's largest sample-to-sample step is 2*pi*f*A/rate; a click would be far larger
    double sineStep = 2 * Math.PI * TONE_HZ * AMPLITUDE / outRate;
    assertTrue(maxStep < sineStep * 1.05, "largest step " + maxStep + " vs sine " + sineStep);
  }
}
