package dev.parlance.tts.livekit.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.livekit.AudioFrame;
import dev.parlance.tts.livekit.ChunkedStream;
import dev.parlance.tts.livekit.ConnOptions;
import dev.parlance.tts.livekit.SynthesizeStream;
import dev.parlance.tts.livekit.SynthesizedAudio;
import dev.parlance.tts.livekit.TtsError;
import dev.parlance.tts.livekit.TtsListener;
import dev.parlance.tts.livekit.TtsMetrics;
import dev.parlance.tts.livekit.testing.ScriptedEngine;
import dev.parlance.tts.spi.EngineFailureException;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.OverloadedException;
import dev.parlance.tts.spi.Pcm16;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

@Timeout(30)
class EngineTtsTest {
  private static final int RATE = 24_000;
  private static final ConnOptions FAST_RETRY = new ConnOptions(2, Duration.ofMillis(10));

  private final List<TtsMetrics> metrics = new CopyOnWriteArrayList<>();
  private final List<TtsError> errors = new CopyOnWriteArrayList<>();

  /** 1 kHz tone, 100 samples (~4 ms) per character, chunks of 1000 samples every 5 ms. */
  private static ScriptedEngine engine(Duration firstChunkDelay) {
    return new ScriptedEngine(RATE, 1000, 1000, Duration.ofMillis(5), firstChunkDelay, 100);
  }

  private EngineTts tts(ScriptedEngine engine) {
    EngineTts tts = EngineTts.builder(engine).build();
    tts.addListener(
        new TtsListener() {
          @Override
          public void onMetrics(TtsMetrics m) {
            metrics.add(m);
          }

          @Override
          public void onError(TtsError e) {
            errors.add(e);
          }
        });
    return tts;
  }

  private static List<SynthesizedAudio> drain(java.util.Iterator<SynthesizedAudio> stream) {
    List<SynthesizedAudio> out = new ArrayList<>();
    stream.forEachRemaining(out::add);
    return out;
  }

  @Test
  void chunkedSynthesisGivesFixedFramesWithTheEngineAudioAndOneFinalFrame() {
    ScriptedEngine engine = engine(Duration.ofMillis(30));
    String text = "Hello from the engine inside the agent.";
    List<SynthesizedAudio> frames;
    try (EngineTts tts = tts(engine);
        ChunkedStream stream = tts.synthesize(text)) {
      assertEquals(RATE, tts.sampleRate());
      assertEquals(1, tts.numChannels());
      assertTrue(tts.capabilities().streaming());
      frames = drain(stream);
    }
    int frameSamples = RATE / 50;
    for (int i = 0; i < frames.size(); i++) {
      SynthesizedAudio a = frames.get(i);
      assertEquals(frameSamples, a.frame().samplesPerChannel(), "20 ms frames");
      assertEquals(i == frames.size() - 1, a.isFinal(), "only the last frame is final");
      assertEquals(engine.requests.get(0).id(), a.requestId());
      assertEquals(a.requestId(), a.segmentId(), "a chunked stream is one segment");
      assertEquals(i == 0 ? text : "", a.deltaText());
    }
    float[] expected = engine.expectedSamples(text);
    assertEquals((expected.length + frameSamples - 1) / frameSamples, frames.size());
    short[] got = AudioFrame.concat(frames.stream().map(SynthesizedAudio::frame).toList()).data();
    for (int i = 0; i < expected.length; i++) {
      assertEquals(Pcm16.toShort(expected[i]), got[i], "sample " + i);
    }

    assertEquals(1, metrics.size());
    TtsMetrics m = metrics.get(0);
    assertEquals(text.length(), m.charactersCount());
    assertFalse(m.cancelled());
    assertFalse(m.streamed());
    assertEquals(Duration.ofMillis(20L * frames.size()), m.audioDuration());
    assertTrue(m.ttfb().toMillis() >= 30, "ttfb includes the engine's 30 ms: " + m.ttfb());
    assertTrue(m.duration().compareTo(m.ttfb()) >= 0);
  }

  @Test
  void emptyOrOverlongTextIsRefusedWithTheField() {
    try (EngineTts tts = tts(engine(Duration.ZERO))) {
      InvalidRequestException e =
          assertThrows(InvalidRequestException.class, () -> tts.synthesize(" "));
      assertEquals("text", e.field());
      assertThrows(InvalidRequestException.class, () -> tts.synthesize("x".repeat(5000)));
    }
  }

  @Test
  void streamedSegmentsEachEndWithOneFinalFrameAndReportMetrics() {
    ScriptedEngine engine = engine(Duration.ofMillis(10));
    List<SynthesizedAudio> frames;
    try (EngineTts tts = tts(engine);
        SynthesizeStream stream = tts.stream()) {
      for (String token :
          "The first segment has two sentences. Here is the second one.".split("(?= )")) {
        stream.pushText(token);
      }
      stream.flush();
      stream.pushText("A second segment follows after the flush.");
      stream.endInput();
      frames = drain(stream);
    }
    assertEquals(3, engine.requests.size(), "one engine request per sentence");
    List<String> segments = frames.stream().map(SynthesizedAudio::segmentId).distinct().toList();
    assertEquals(2, segments.size());
    for (String segment : segments) {
      List<SynthesizedAudio> of =
          frames.stream().filter(f -> f.segmentId().equals(segment)).toList();
      assertEquals(1, of.stream().filter(SynthesizedAudio::isFinal).count());
      assertTrue(of.get(of.size() - 1).isFinal());
    }
    String spoken =
        String.join(
            "|",
            frames.stream().map(SynthesizedAudio::deltaText).filter(t -> !t.isEmpty()).toList());
    assertEquals(
        "The first segment has two sentences.|Here is the second one.|A second segment follows after the flush.",
        spoken);
    assertEquals(2, metrics.size());
    assertTrue(metrics.stream().allMatch(TtsMetrics::streamed));
    assertEquals(
        "The first segment has two sentences.Here is the second one.".length(),
        metrics.get(0).charactersCount());
    assertEquals(segments.get(0), metrics.get(0).segmentId());
  }

  @Test
  void firstSentenceIsSynthesisedBeforeTheTextIsComplete() throws Exception {
    ScriptedEngine engine = engine(Duration.ZERO);
    try (EngineTts tts = tts(engine);
        SynthesizeStream stream = tts.stream()) {
      stream.pushText("This first sentence is complete.");
      stream.pushText(" And");
      SynthesizedAudio first = stream.next(); // arrives while the LLM is still writing
      assertEquals("This first sentence is complete.", first.deltaText());
      assertEquals(1, engine.requests.size());
      stream.pushText(" this one is still being written.");
      stream.endInput();
      drain(stream);
      assertEquals(2, engine.requests.size());
    }
  }

  @Test
  void failureBeforeAnyAudioIsRetried() {
    ScriptedEngine engine = engine(Duration.ZERO);
    engine.failNext(new OverloadedException("busy", Duration.ofSeconds(1)), -1);
    engine.failNext(new EngineFailureException("decoder crashed"), 0);
    try (EngineTts tts = tts(engine)) {
      AudioFrame audio = tts.synthesize("Retry me please.", FAST_RETRY).collect();
      float[] expected = engine.expectedSamples("Retry me please.");
      for (int i = 0; i < expected.length; i++) {
        assertEquals(Pcm16.toShort(expected[i]), audio.data()[i], "sample " + i);
      }
    }
    assertEquals(3, engine.requests.size());
    String first = engine.requests.get(0).id();
    assertEquals(
        first + "-retry2", engine.requests.get(2).id(), "retries are named after the first");
    assertEquals(2, errors.size());
    assertTrue(errors.stream().allMatch(TtsError::recoverable));
  }

  @Test
  void failureAfterAudioWasEmittedIsNotRetried() {
    ScriptedEngine engine = engine(Duration.ZERO);
    engine.failNext(new EngineFailureException("decoder crashed"), 3);
    List<SynthesizedAudio> before = new ArrayList<>();
    try (EngineTts tts = tts(engine);
        ChunkedStream stream = tts.synthesize("x".repeat(200), FAST_RETRY)) {
      EngineFailureException e =
          assertThrows(
              EngineFailureException.class,
              () -> {
                while (stream.hasNext()) {
                  before.add(stream.next());
                }
              });
      assertEquals("decoder crashed", e.getMessage());
    }
    assertEquals(1, engine.requests.size(), "no second attempt");
    // 3000 samples came before the failure: 6 whole 20 ms frames and a padded part frame
    assertEquals(7, before.size(), "the audio produced before the failure was delivered");
    assertTrue(before.stream().noneMatch(SynthesizedAudio::isFinal));
    assertEquals(1, errors.size());
    assertFalse(errors.get(0).recoverable());
  }

  @Test
  void invalidRequestsAreNotRetriedAndRetriesAreBounded() {
    ScriptedEngine engine = engine(Duration.ZERO);
    engine.failNext(new InvalidRequestException("voice", "no such voice"), -1);
    try (EngineTts tts = tts(engine);
        ChunkedStream stream = tts.synthesize("Hello there, world.", FAST_RETRY)) {
      assertThrows(InvalidRequestException.class, stream::hasNext);
    }
    assertEquals(1, engine.requests.size());

    ScriptedEngine busy = engine(Duration.ZERO);
    for (int i = 0; i < 3; i++) {
      busy.failNext(new OverloadedException("busy", Duration.ofSeconds(1)), -1);
    }
    try (EngineTts tts = tts(busy);
        ChunkedStream stream = tts.synthesize("Hello there, world.", FAST_RETRY)) {
      assertThrows(OverloadedException.class, stream::hasNext);
    }
    assertEquals(3, busy.requests.size(), "first attempt + maxRetry 2");
  }

  @Test
  void closingStopsSynthesisPromptlyAndEmitsNothingAfterwards() throws Exception {
    // 10 s of audio in 1000-sample steps of 5 ms: far longer than the test
    ScriptedEngine engine = engine(Duration.ZERO);
    List<Long> stopMicros = new ArrayList<>();
    try (EngineTts tts = tts(engine)) {
      for (int round = 0; round < 5; round++) {
        SynthesizeStream stream = tts.stream();
        stream.pushText("y".repeat(2400));
        stream.endInput();
        for (int i = 0; i < 10; i++) {
          stream.next();
        }
        int cancelsBefore = engine.cancelledAtNanos.size();
        long t0 = System.nanoTime();
        stream.close();
        long closeReturned = System.nanoTime();
        assertFalse(stream.hasNext(), "nothing is delivered after close()");
        long deadline = System.nanoTime() + 2_000_000_000L;
        while (engine.cancelledAtNanos.size() == cancelsBefore && System.nanoTime() < deadline) {
          Thread.sleep(1);
        }
        assertEquals(cancelsBefore + 1, engine.cancelledAtNanos.size(), "engine saw the cancel");
        stopMicros.add((engine.cancelledAtNanos.get(cancelsBefore) - t0) / 1000);
        assertTrue((closeReturned - t0) < 50_000_000L, "close() does not block");
      }
    }
    long worst = stopMicros.stream().mapToLong(Long::longValue).max().orElseThrow();
    System.out.println("cancel -> engine stopped, us per round: " + stopMicros);
    // one decoder step is 5 ms here; allow scheduling slack on a loaded 2-core machine
    assertTrue(worst < 100_000, "engine stopped within " + worst + " us");
    assertEquals(5, metrics.stream().filter(TtsMetrics::cancelled).count());
  }

  @Test
  void closeFromAnotherThreadReturnsAtOnceEvenWhenNobodyReads() throws Exception {
    // nobody reads: the bounded frame queue fills and holds the engine back
    ScriptedEngine engine = engine(Duration.ZERO);
    try (EngineTts tts = tts(engine)) {
      SynthesizeStream stream = tts.stream();
      Thread llm =
          new Thread(
              () -> {
                // more sentences than the input queue holds: this thread ends up waiting
                // inside pushText, holding the stream's input monitor
                try {
                  for (int i = 0; i < 1100; i++) {
                    stream.pushText("This sentence keeps the engine busy for a while. ");
                  }
                } catch (IllegalStateException closed) {
                  // pushText after close(): expected
                }
              });
      llm.start();
      Thread.sleep(1500); // > 1.2 s: 10 s of audio is queued and the engine is held back
      long t0 = System.nanoTime();
      Thread closer = new Thread(stream::close);
      closer.start();
      closer.join(2000);
      long micros = (System.nanoTime() - t0) / 1000;
      assertFalse(closer.isAlive(), "close() returned");
      assertTrue(micros < 200_000, "close() took " + micros + " us");
      llm.join(2000);
      assertFalse(llm.isAlive(), "the pushing thread is released or finishes");
      assertFalse(stream.hasNext());
    }
  }

  @Test
  void noAudioForNonEmptyTextIsAnError() {
    ScriptedEngine silent = new ScriptedEngine(RATE, 1000, 1000, Duration.ZERO, Duration.ZERO, 0);
    try (EngineTts tts = tts(silent);
        ChunkedStream stream = tts.synthesize("Say something.", ConnOptions.NO_RETRY)) {
      EngineFailureException e = assertThrows(EngineFailureException.class, stream::hasNext);
      assertTrue(e.getMessage().contains("no audio"), e.getMessage());
    }
  }

  @Test
  void closingTheTtsCancelsOpenStreamsAndRefusesNewOnes() {
    ScriptedEngine engine = engine(Duration.ZERO);
    EngineTts tts = tts(engine);
    SynthesizeStream stream = tts.stream();
    stream.pushText("z".repeat(1000));
    stream.flush();
    tts.close();
    assertFalse(stream.hasNext());
    assertThrows(IllegalStateException.class, () -> stream.pushText("more"));
    assertThrows(IllegalStateException.class, tts::stream);
  }
}
