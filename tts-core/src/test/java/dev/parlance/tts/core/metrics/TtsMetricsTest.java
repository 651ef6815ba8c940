package dev.parlance.tts.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.core.cache.PhraseCache;
import dev.parlance.tts.core.cache.PhraseKey;
import dev.parlance.tts.core.runtime.AdmissionController;
import dev.parlance.tts.core.runtime.Ticket;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsException;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class TtsMetricsTest {

  @Test
  void exportsGaugesFromTheRuntimeAndCaches() {
    AdmissionController admission = new AdmissionController(1, 4, Duration.ofSeconds(30));
    PhraseCache phrases = new PhraseCache(1 << 20, Optional.empty(), false);
    AtomicInteger rows = new AtomicInteger(3);
    TtsMetrics metrics =
        TtsMetrics.builder()
            .queueDepth(admission::queueDepth)
            .inFlight(admission::inFlight)
            .activeRows(rows::get)
            .batchMemory(() -> 3000, () -> 8000)
            .cache("phrase", phrases::stats)
            .build();
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    metrics.bindTo(registry);

    Ticket held = admission.acquire("a", Optional.empty());
    var waiting = admission.admit("b", Optional.empty());
    assertEquals(1.0, registry.get("tts.queue.depth").gauge().value());
    assertEquals(1.0, registry.get("tts.inflight.streams").gauge().value());
    assertEquals(3.0, registry.get("tts.batch.active.rows").gauge().value());
    assertEquals(3000.0, registry.get("tts.batch.memory").gauge().value());
    assertEquals(8000.0, registry.get("tts.batch.memory.budget").gauge().value());
    held.close();
    waiting.join().close();
    assertEquals(0.0, registry.get("tts.queue.depth").gauge().value());
    assertEquals(0.0, registry.get("tts.inflight.streams").gauge().value());

    PhraseKey key = PhraseKey.of("hi", "calm", SamplingOptions.DEFAULT.withSeed(1), "m", "r");
    phrases.get(key);
    phrases.put(key, new AudioClip(new float[100], AudioFormat.PARLER));
    phrases.get(key);
    phrases.get(key);
    assertEquals(
        2.0, registry.get("tts.cache.hits").tag("cache", "phrase").functionCounter().count());
    assertEquals(
        1.0, registry.get("tts.cache.misses").tag("cache", "phrase").functionCounter().count());
    assertEquals(
        0.0, registry.get("tts.cache.evictions").tag("cache", "phrase").functionCounter().count());
    assertEquals(1.0, registry.get("tts.cache.entries").tag("cache", "phrase").gauge().value());
    assertTrue(registry.get("tts.cache.size").tag("cache", "phrase").gauge().value() >= 400);
  }

  @Test
  void recordsEngineEvents() {
    TtsMetrics metrics = TtsMetrics.builder().build();
    metrics.requestReceived(); // before binding: not recorded
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    metrics.bindTo(registry);
    RuntimeListener listener = RuntimeListener.composite(List.of(metrics, RuntimeListener.NONE));

    listener.requestReceived();
    listener.requestReceived();
    listener.requestReceived();
    listener.requestAdmitted(Duration.ofMillis(5));
    listener.firstAudio(Duration.ofMillis(300));
    listener.batchStep(4, 12_000_000);
    listener.batchStep(2, 8_000_000);
    listener.requestCompleted(Duration.ofSeconds(1), 4.0, false);
    listener.requestCompleted(Duration.ofMillis(2), 2.0, true);
    listener.requestFailed(TtsException.Kind.OVERLOADED, Duration.ofMillis(1));

    assertEquals(3.0, registry.get("tts.requests").counter().count());
    assertEquals(1, registry.get("tts.queue.wait").timer().count());
    assertEquals(
        300.0,
        registry
            .get("tts.time.to.first.audio")
            .timer()
            .totalTime(java.util.concurrent.TimeUnit.MILLISECONDS));
    assertEquals(2, registry.get("tts.batch.size").summary().count());
    assertEquals(4.0, registry.get("tts.batch.size").summary().max());
    assertEquals(2, registry.get("tts.step.duration").timer().count());
    assertEquals(2, registry.get("tts.latency").tag("outcome", "ok").timer().count());
    assertEquals(1, registry.get("tts.latency").tag("outcome", "overloaded").timer().count());
    assertEquals(6.0, registry.get("tts.audio.produced").counter().count());
    // Only the synthesised request counts toward the real-time factor: 1 s for 4 s of audio.
    assertEquals(1, registry.get("tts.real.time.factor").summary().count());
    assertEquals(0.25, registry.get("tts.real.time.factor").summary().mean(), 1e-9);
    assertEquals(1.0, registry.get("tts.errors").tag("type", "overloaded").counter().count());
    assertEquals(0.0, registry.get("tts.errors").tag("type", "internal").counter().count());

    assertThrows(IllegalStateException.class, () -> metrics.bindTo(new SimpleMeterRegistry()));
  }
}
