package dev.parlance.tts.livekit.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.core.audio.Resampler;
import dev.parlance.tts.core.engine.ParlerEngineProbe;
import dev.parlance.tts.livekit.AudioFrame;
import dev.parlance.tts.livekit.SynthesizeStream;
import dev.parlance.tts.livekit.SynthesizedAudio;
import dev.parlance.tts.livekit.TtsListener;
import dev.parlance.tts.livekit.TtsMetrics;
import dev.parlance.tts.livekit.testing.Fixtures;
import dev.parlance.tts.livekit.testing.LongSpeechCheckpoint;
import dev.parlance.tts.livekit.testing.RecordingEngine;
import dev.parlance.tts.spi.Pcm16;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsEngines;
import dev.parlance.tts.spi.TtsRequest;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * {@link EngineTts} end to end on the real {@code parler} engine with the tiny fixture checkpoint
 * ({@code tiny-mini-v1-arch}: mini-v1's architecture with random weights, so the audio is noise,
 * but every component of the real model runs). Greedy decoding makes every request reproducible, so
 * the frames can be checked against the engine's own output sample for sample.
 *
 * <p>The fixture's decoder has 256 positions, so one request gives at most about 45 ms of audio.
 */
@Timeout(value = 5, unit = TimeUnit.MINUTES)
class ParlerEngineTtsTest {
  private static final SamplingOptions GREEDY = SamplingOptions.builder().greedy(true).build();
  private static final List<String> SEGMENT_1 =
      List.of("The first segment has two sentences.", "Here is the second one.");
  private static final String SEGMENT_2 = "A second segment follows after the flush.";

  private static TtsEngine engine;

  private final List<TtsMetrics> metrics = new CopyOnWriteArrayList<>();

  @BeforeAll
  static void load() {
    Path checkpoint = Fixtures.checkpoint("tiny-mini-v1-arch");
    engine =
        TtsEngines.load(
            "parler", TtsEngineConfig.builder().model(checkpoint.toString()).device("cpu").build());
  }

  @AfterAll
  static void close() {
    if (engine != null) {
      engine.close();
    }
  }

  private EngineTts tts(TtsEngine on, int rate) {
    EngineTts tts = EngineTts.builder(on).sampleRate(rate).sampling(GREEDY).build();
    tts.addListener(
        new TtsListener() {
          @Override
          public void onMetrics(TtsMetrics m) {
            metrics.add(m);
          }
        });
    return tts;
  }

  /**
   * What the engine says for {@code sentences}, one request each, joined and converted to {@code
   * rate}, with where each sentence starts (in samples at {@code rate}).
   */
  private record Reference(short[] pcm, double[] starts) {}

  private static Reference reference(List<String> sentences, int rate) {
    int engineRate = engine.audioFormat().sampleRate();
    List<float[]> parts = new ArrayList<>();
    double[] starts = new double[sentences.size()];
    int total = 0;
    for (int i = 0; i < sentences.size(); i++) {
      TtsRequest request = TtsRequest.builder().text(sentences.get(i)).sampling(GREEDY).build();
      parts.add(engine.synthesize(request).samples());
      starts[i] = total * (double) rate / engineRate;
      total += parts.get(i).length;
    }
    float[] joined = new float[total];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, joined, at, p.length);
      at += p.length;
    }
    float[] converted = rate == engineRate ? joined : Resampler.resample(joined, engineRate, rate);
    return new Reference(Pcm16.toShorts(converted), starts);
  }

  @ParameterizedTest(name = "{0} Hz")
  @ValueSource(ints = {48_000, 24_000})
  void streamedTextBecomesFramesOfTheEngineAudioWithOneFinalFramePerSegment(int rate) {
    RecordingEngine recorder = new RecordingEngine(engine);
    List<SynthesizedAudio> frames = new ArrayList<>();
    try (EngineTts tts = tts(recorder, rate);
        SynthesizeStream stream = tts.stream()) {
      // the LLM's pieces: words with their leading spaces
      for (String piece : String.join(" ", SEGMENT_1).split("(?= )")) {
        stream.pushText(piece);
      }
      stream.flush();
      stream.pushText(SEGMENT_2);
      stream.endInput();
      stream.forEachRemaining(frames::add);
    }

    List<List<String>> sentences = List.of(SEGMENT_1, List.of(SEGMENT_2));
    assertEquals(
        sentences.stream().flatMap(List::stream).toList(),
        recorder.requests.stream().map(TtsRequest::text).toList(),
        "one engine request per sentence");
    List<String> requestIds = recorder.requests.stream().map(TtsRequest::id).toList();
    int frameSamples = rate / 50;
    int previousRequest = 0;
    for (SynthesizedAudio a : frames) {
      assertEquals(rate, a.frame().sampleRate());
      assertEquals(1, a.frame().numChannels());
      assertEquals(frameSamples, a.frame().samplesPerChannel(), "20 ms frames");
      int request = requestIds.indexOf(a.requestId());
      assertTrue(request >= previousRequest, "request ids in request order: " + a.requestId());
      previousRequest = request;
    }
    List<String> segments = frames.stream().map(SynthesizedAudio::segmentId).distinct().toList();
    assertEquals(2, segments.size(), "two segments (one flush)");
    int lastRequest = 0;
    for (int s = 0; s < 2; s++) {
      String segment = segments.get(s);
      List<SynthesizedAudio> of =
          frames.stream().filter(f -> f.segmentId().equals(segment)).toList();
      assertEquals(1, of.stream().filter(SynthesizedAudio::isFinal).count(), "one final frame");
      assertTrue(of.get(of.size() - 1).isFinal(), "the final frame is the segment's last");
      // a frame names the newest request with audio in it
      lastRequest += sentences.get(s).size();
      assertEquals(requestIds.get(lastRequest - 1), of.get(of.size() - 1).requestId());
      Reference reference = reference(sentences.get(s), rate);
      for (int i = 0; i < sentences.get(s).size(); i++) {
        // the frame holding the sentence's first sample (either one at a frame joint, where the
        // resampler's few samples of delay decide)
        double start = reference.starts()[i];
        int frame = (int) (start / frameSamples);
        int other = (int) ((start + (start % frameSamples < 8 ? -8 : 8)) / frameSamples);
        String sentence = sentences.get(s).get(i);
        assertTrue(
            of.get(frame).deltaText().equals(sentence)
                || of.get(Math.min(Math.max(0, other), of.size() - 1)).deltaText().equals(sentence),
            "sentence " + i + " is announced on frame " + frame + ", where its audio starts");
      }
      assertEquals(
          sentences.get(s),
          of.stream().map(SynthesizedAudio::deltaText).filter(t -> !t.isEmpty()).toList(),
          "each sentence announced once");

      short[] got = AudioFrame.concat(of.stream().map(SynthesizedAudio::frame).toList()).data();
      short[] expected = reference.pcm();
      assertEquals(
          (expected.length + frameSamples - 1) / frameSamples, of.size(), "frames of the audio");
      assertArrayEquals(expected, Arrays.copyOf(got, expected.length), "the engine's audio");
      for (int i = expected.length; i < got.length; i++) {
        assertEquals(0, got[i], "the last frame is padded with silence");
      }
      double rms = rms(got);
      System.out.printf(
          Locale.ROOT,
          "%d Hz segment %d: %d samples in %d frames, rms %.1f%n",
          rate,
          s,
          expected.length,
          of.size(),
          rms);
      assertTrue(rms > 30, "audible, not silence: rms " + rms);
    }

    assertEquals(2, metrics.size(), "metrics per segment");
    for (int s = 0; s < 2; s++) {
      TtsMetrics m = metrics.get(s);
      String segment = segments.get(s);
      long segmentFrames = frames.stream().filter(f -> f.segmentId().equals(segment)).count();
      assertEquals(segment, m.segmentId());
      assertTrue(m.streamed());
      assertFalse(m.cancelled());
      assertEquals(
          sentences.get(s).stream().mapToInt(String::length).sum(),
          m.charactersCount(),
          "characters sent to the engine");
      assertEquals(Duration.ofMillis(20 * segmentFrames), m.audioDuration());
      assertTrue(m.ttfb().compareTo(Duration.ZERO) > 0, "ttfb " + m.ttfb());
      assertTrue(m.duration().compareTo(m.ttfb()) >= 0, "duration " + m.duration());
      System.out.printf(
          Locale.ROOT,
          "%d Hz segment %d: ttfb %d ms, duration %d ms, audio %d ms%n",
          rate,
          s,
          m.ttfb().toMillis(),
          m.duration().toMillis(),
          m.audioDuration().toMillis());
    }
  }

  @Test
  void closeStopsTheRealEngineWithinOneDecoderStepAndNothingFollows() {
    String sentence = "This sentence keeps the decoder busy for a while.";
    List<Long> stopMicros = new ArrayList<>();
    List<Long> stepsAfterClose = new ArrayList<>();
    List<Long> stepMicros = new ArrayList<>();
    // The fixture's greedy EOS ends a sentence within a few steps; this copy must speak for
    // min_new_tokens steps first, so a request is surely decoding when the user barges in.
    Path checkpoint =
        LongSpeechCheckpoint.create(
            Fixtures.checkpoint("tiny-mini-v1-arch"),
            Path.of(System.getProperty("basedir", "."), "target", "parler-tiny-busy"),
            2048,
            1500);
    try (TtsEngine busyEngine =
            TtsEngines.load(
                "parler",
                TtsEngineConfig.builder()
                    .model(checkpoint.toString())
                    .device("cpu")
                    .option("phrase_cache_bytes", "0")
                    .build());
        EngineTts tts = tts(busyEngine, 48_000)) {
      ParlerEngineProbe probe = new ParlerEngineProbe(busyEngine);
      for (int round = 0; round < 5; round++) {
        SynthesizeStream stream = tts.stream();
        for (int i = 0; i < 6; i++) {
          stream.pushText(sentence + " ");
        }
        stream.endInput();
        stream.next(); // the user hears the agent start

        // barge in while a request is decoding
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (probe.inFlight() == 0 && System.nanoTime() < deadline) {
          LockSupport.parkNanos(20_000);
        }
        // (2 for a moment: the previous sentence's worker finishing as the next one is admitted)
        assertTrue(probe.inFlight() >= 1, "a request is decoding");
        long s0 = probe.decoderSteps();
        long m0 = System.nanoTime();
        LockSupport.parkNanos(20_000_000); // time some steps
        long s1 = probe.decoderSteps();
        long b1 = probe.batchedSteps();
        long t0 = System.nanoTime();
        stepMicros.add((t0 - m0) / 1000 / Math.max(1, s1 - s0));
        stream.close();
        long closeReturned = System.nanoTime();
        assertFalse(stream.hasNext(), "nothing is delivered after close()");
        assertThrows(NoSuchElementException.class, stream::next);
        while (probe.inFlight() > 0 && System.nanoTime() < t0 + TimeUnit.SECONDS.toNanos(10)) {
          LockSupport.parkNanos(20_000);
        }
        long stopped = System.nanoTime();
        assertEquals(0, probe.inFlight(), "the engine stopped");
        stopMicros.add((stopped - t0) / 1000);
        // batched steps: the previous sentence's row may share them, counting twice in row steps
        stepsAfterClose.add(probe.batchedSteps() - b1);
        assertTrue(closeReturned - t0 < 50_000_000L, "close() does not block");
        LockSupport.parkNanos(50_000_000);
        assertEquals(0, probe.inFlight(), "no new request starts after close()");
        assertFalse(stream.hasNext());
      }
    }
    System.out.println("parler: close() -> engine idle, us per round: " + stopMicros);
    System.out.println(
        "parler: batched decoder steps run after close(), per round: " + stepsAfterClose);
    System.out.println("parler: mean decoder step before close(), us per round: " + stepMicros);
    // the step running when close() was called, plus one that may have begun just before it
    assertTrue(stepsAfterClose.stream().allMatch(n -> n <= 2), "steps after close");
    long worst = stopMicros.stream().mapToLong(Long::longValue).max().orElseThrow();
    assertTrue(worst < 500_000, "engine idle within " + worst + " us of close()");
    assertEquals(5, metrics.stream().filter(TtsMetrics::cancelled).count(), "cancelled metrics");
  }

  private static void assertArrayEquals(short[] expected, short[] actual, String what) {
    for (int i = 0; i < expected.length; i++) {
      if (expected[i] != actual[i]) {
        throw new AssertionError(
            what + ": sample " + i + " is " + actual[i] + ", expected " + expected[i]);
      }
    }
  }

  private static double rms(short[] pcm) {
    double sum = 0;
    for (short s : pcm) {
      sum += (double) s * s;
    }
    return Math.sqrt(sum / Math.max(1, pcm.length));
  }
}
