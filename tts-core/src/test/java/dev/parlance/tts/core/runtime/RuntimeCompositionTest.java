package dev.parlance.tts.core.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.core.cache.PhraseCache;
import dev.parlance.tts.core.cache.PhraseKey;
import dev.parlance.tts.core.metrics.RequestObserver;
import dev.parlance.tts.core.metrics.TtsMetrics;
import dev.parlance.tts.core.text.LongTextPlanner;
import dev.parlance.tts.core.voice.ResolvedVoice;
import dev.parlance.tts.core.voice.VoiceCatalog;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.OverloadedException;
import dev.parlance.tts.spi.TtsException;
import dev.parlance.tts.spi.TtsRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CountDownLatch;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The runtime parts composed the way the engine composes them (docs/runtime.md, "A request's
 * path"), with a deterministic test stepper standing in for the decoder: one seeded random block of
 * samples per step, as many steps as the text is long.
 */
class RuntimeCompositionTest {
  private static final AudioFormat FORMAT = AudioFormat.mono(1000);
  private static final int BLOCK = 50;

  record Job(String text, ResolvedVoice voice) {}

  static final class Row {
    final Random random;
    final int steps;
    int done;

    Row(Job job) {
      random = new Random(job.voice().seed().orElse(0) * 31 + job.text().hashCode());
      steps = 1 + job.text().length() / 10;
    }
  }

  static final class TestStepper implements BatchStepper<Job, Row, float[]> {
    /** Holds every step while closed, so a request can be kept in flight. */
    volatile CountDownLatch gate = new CountDownLatch(0);

    @Override
    public List<Row> join(List<Job> jobs) {
      return jobs.stream().map(Row::new).toList();
    }

    @Override
    public List<StepResult<float[]>> step(List<Row> rows) {
      try {
        gate.await();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
      return rows.stream()
          .map(
              r -> {
                float[] block = new float[BLOCK];
                for (int i = 0; i < BLOCK; i++) {
                  block[i] = r.random.nextFloat() - 0.5f;
                }
                return ++r.done >= r.steps ? StepResult.last(block) : StepResult.emit(block);
              })
          .toList();
    }

    @Override
    public void leave(Row row) {}
  }

  private final RuntimeConfig config =
      RuntimeConfig.builder().maxInFlight(1).queueCapacity(0).maxBatchSize(4).build();
  private final VoiceCatalog voices = VoiceCatalog.load(config.voicesFile());
  private final LongTextPlanner planner = new LongTextPlanner(config.maxTextChars());
  private final PhraseCache phrases = PhraseCache.of(config);
  private final AdmissionController admission = AdmissionController.of(config);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final TestStepper stepper = new TestStepper();
  private final BatchScheduler<Job, Row, float[]> scheduler;
  private final TtsMetrics metrics;

  RuntimeCompositionTest() {
    metrics =
        TtsMetrics.builder()
            .queueDepth(admission::queueDepth)
            .inFlight(admission::inFlight)
            .cache("phrase", phrases::stats)
            .build();
    metrics.bindTo(registry);
    scheduler = new BatchScheduler<>(stepper, config.maxBatchSize(), metrics, "compose");
  }

  @AfterEach
  void stop() {
    scheduler.close();
  }

  /** The engine's stream(), in outline. */
  private AudioStream stream(TtsRequest request) {
    RequestObserver obs = RequestObserver.start(metrics);
    try {
      ResolvedVoice voice = voices.resolve(request.voice(), request.sampling());
      String text = String.join(" ", planner.plan(request.text()));
      PhraseKey key = PhraseKey.of(text, voice.description(), voice.sampling(), "test/model", "r1");
      if (phrases.cacheable(voice.sampling())) {
        Optional<AudioClip> hit = phrases.get(key);
        if (hit.isPresent()) {
          return ChunkedAudioStream.ofClip(request, hit.get(), obs);
        }
      }
      Ticket ticket = admission.acquire(request.id(), request.deadline());
      obs.admitted(ticket.queueWait());
      StreamBuffer<float[]> buffer = new StreamBuffer<>();
      buffer.onClose(ticket::cancel);
      scheduler.submit(new Job(text, voice), ticket, buffer);
      return new ChunkedAudioStream(request, FORMAT, buffer, obs, false);
    } catch (TtsException e) {
      obs.failed(e);
      throw e;
    }
  }

  private AudioClip synthesize(TtsRequest request) {
    AudioClip clip = stream(request).readAll();
    PhraseKey key =
        PhraseKey.of(
            String.join(" ", planner.plan(request.text())),
            voices.resolve(request.voice(), request.sampling()).description(),
            voices.resolve(request.voice(), request.sampling()).sampling(),
            "test/model",
            "r1");
    phrases.put(key, clip);
    return clip;
  }

  @Test
  void synthesisThenCacheHitThenErrorsAllShowInTheMetrics() {
    TtsRequest request = TtsRequest.builder().text("It costs $3.50.").voice("jon").build();
    AudioClip first = assertTimeoutPreemptively(Duration.ofSeconds(30), () -> synthesize(request));
    // "it costs three dollars and fifty cents." is 39 characters: 4 steps of 50 samples.
    assertEquals(200, first.size());
    AudioClip again = stream(request).readAll();
    assertArrayEquals(first.samples(), again.samples());
    assertEquals(1, phrases.stats().hits());

    InvalidRequestException unknown =
        assertThrows(
            InvalidRequestException.class,
            () -> stream(TtsRequest.builder().text("Hi.").voice("nobody").build()));
    assertEquals("voice", unknown.field());

    stepper.gate = new CountDownLatch(1);
    AudioStream holding = stream(TtsRequest.of("Hold the line."));
    assertThrows(OverloadedException.class, () -> stream(TtsRequest.of("Me too.")));
    holding.close();
    stepper.gate.countDown();

    assertEquals(5.0, registry.get("tts.requests").counter().count());
    assertEquals(2, registry.get("tts.latency").tag("outcome", "ok").timer().count());
    assertEquals(1.0, registry.get("tts.errors").tag("type", "invalid_request").counter().count());
    assertEquals(1.0, registry.get("tts.errors").tag("type", "overloaded").counter().count());
    assertEquals(1.0, registry.get("tts.errors").tag("type", "cancelled").counter().count());
    assertEquals(0.4, registry.get("tts.audio.produced").counter().count(), 1e-9);
    assertEquals(1, registry.get("tts.real.time.factor").summary().count(), "cache hits excluded");
    assertEquals(
        1.0, registry.get("tts.cache.hits").tag("cache", "phrase").functionCounter().count());
    assertTrue(registry.get("tts.batch.size").summary().count() >= 4);
    assertTimeoutPreemptively(
        Duration.ofSeconds(10),
        () -> {
          while (admission.inFlight() > 0) {
            Thread.sleep(1);
          }
        });
  }
}
