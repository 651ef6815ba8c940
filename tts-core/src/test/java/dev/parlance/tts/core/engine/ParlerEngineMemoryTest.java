package dev.parlance.tts.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.parlance.tts.core.device.DeviceMemory;
import dev.parlance.tts.core.device.GpuProbe;
import dev.parlance.tts.core.hub.ModelResolver;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.spi.EngineHealth;
import dev.parlance.tts.spi.EngineUnavailableException;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * The real engine under a small memory budget (a test probe stands in for the device's free memory;
 * model, scheduler and decoder are real): batches never hold more rows than fit, every request
 * still completes with its solo audio, a request that could never fit is refused as invalid, health
 * reports the probe's figures, and the engine is built on a thread that has ended.
 */
class ParlerEngineMemoryTest {
  private static final String DESCRIPTION = "A woman speaks slowly.";
  private static final String[] TEXTS = {
    "Hey, how are you?",
    "Fine, thanks.",
    "Yes, please.",
    "See you soon.",
    "Not today.",
    "Okay then."
  };

  /**
   * No GPU; the CPU's free memory is whatever the test says. Records the threads that ask (the
   * engine asks while it is built).
   */
  private static final class MemoryProbe implements GpuProbe {
    private final DeviceMemory cpu;
    private final List<Thread> askedFrom = new ArrayList<>();

    MemoryProbe(DeviceMemory cpu) {
      this.cpu = cpu;
    }

    @Override
    public int gpuCount() {
      return 0;
    }

    @Override
    public int computeCapability(int gpu) {
      return -1;
    }

    @Override
    public String unavailableReason() {
      return "test probe: no GPU";
    }

    @Override
    public synchronized DeviceMemory memory(Device device) {
      askedFrom.add(Thread.currentThread());
      return cpu;
    }

    synchronized Thread firstAsker() {
      return askedFrom.get(0);
    }
  }

  private static ParlerEngine engine(DeviceMemory cpu) {
    return engine(new MemoryProbe(cpu));
  }

  private static ParlerEngine engine(MemoryProbe probe) {
    TtsEngineConfig config =
        TtsEngineConfig.builder()
            .model(Fixtures.checkpoint("tiny-mini-v1-arch").toString())
            .device("cpu")
            .dtype("float32")
            .option("chunk_frames", "4")
            .option("max_in_flight", "6")
            .option("max_batch_size", "8")
            .option("phrase_cache_bytes", "0")
            .option("memory_reserve_bytes", "0")
            .option("max_batch_memory_fraction", "1")
            .build();
    return ParlerEngine.create(config, probe, ModelResolver.fromEnvironment());
  }

  private static List<TtsRequest> requests(int millis) {
    List<TtsRequest> out = new ArrayList<>();
    for (int i = 0; i < TEXTS.length; i++) {
      out.add(
          TtsRequest.builder()
              .text(TEXTS[i])
              .description(DESCRIPTION)
              .sampling(
                  SamplingOptions.builder()
                      .seed(300 + i)
                      .maxDuration(Duration.ofMillis(millis))
                      .build())
              .build());
    }
    return out;
  }

  /** The engine's start-up warm-up request, which must fit the budget too. */
  private static final TtsRequest WARM_UP =
      TtsRequest.builder()
          .text("Hello.")
          .sampling(
              SamplingOptions.builder().greedy(true).maxDuration(Duration.ofMillis(100)).build())
          .build();

  @Test
  void aBudgetForTwoRowsKeepsSixConcurrentRequestsToTwoRowsPerStep() {
    // The engine's own estimates pick a length whose rows fit two, never three, to a budget that
    // also holds the warm-up row (the tiny DAC's frame rate is 5.5 kHz: 1 ms is 6 frames).
    List<TtsRequest> found = null;
    long budget = 0;
    try (ParlerEngine unbounded = engine(DeviceMemory.UNKNOWN)) {
      assertEquals(Long.MAX_VALUE, unbounded.batchMemoryBudget());
      long warmUp = unbounded.rowBytes(WARM_UP);
      for (int millis = 1; millis <= 50 && found == null; millis++) {
        List<TtsRequest> candidates = requests(millis);
        long smallest = Long.MAX_VALUE;
        long largest = 0;
        for (TtsRequest r : candidates) {
          long bytes = unbounded.rowBytes(r);
          smallest = Math.min(smallest, bytes);
          largest = Math.max(largest, bytes);
        }
        if (2 * largest >= warmUp && 3 * smallest > 2 * largest) {
          found = candidates;
          budget = 2 * largest;
        }
      }
    }
    assertTrue(found != null, "some length fits two rows and the warm-up");
    List<TtsRequest> requests = found;
    DeviceMemory free = new DeviceMemory(budget, 1L << 30);
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ParlerEngine engine = engine(free)) {
      engine.metrics().bindTo(registry);
      assertEquals(budget, engine.batchMemoryBudget());
      assertEquals(budget, registry.get("tts.batch.memory.budget").gauge().value());
      List<float[]> alone = new ArrayList<>();
      for (TtsRequest r : requests) {
        alone.add(engine.synthesize(r).samples());
      }
      assertEquals(1.0, registry.get("tts.batch.size").summary().max(), "solo runs");

      List<float[]> together = new ArrayList<>();
      assertTimeoutPreemptively(
          Duration.ofSeconds(120),
          () -> {
            ExecutorService pool = Executors.newFixedThreadPool(requests.size());
            CountDownLatch go = new CountDownLatch(1);
            List<Future<float[]>> futures = new ArrayList<>();
            for (TtsRequest r : requests) {
              futures.add(
                  pool.submit(
                      () -> {
                        go.await();
                        return engine.synthesize(r).samples();
                      }));
            }
            go.countDown();
            for (Future<float[]> f : futures) {
              together.add(f.get());
            }
            pool.shutdown();
          });
      for (int i = 0; i < requests.size(); i++) {
        assertTrue(alone.get(i).length > 0);
        assertArrayEquals(alone.get(i), together.get(i), "request " + i);
      }
      assertEquals(2.0, registry.get("tts.batch.size").summary().max(), "two rows, never three");
      assertEquals(0, engine.inFlight());
      assertEquals(0, registry.get("tts.batch.memory").gauge().value(), "rows gave it back");

      assertArrayEquals(alone.get(1), engine.synthesize(requests.get(1)).samples());

      EngineHealth health = engine.health();
      assertTrue(health.ready(), health.detail());
      assertEquals(budget, health.memoryFreeBytes());
      assertEquals(1L << 30, health.memoryTotalBytes());
    }
  }

  @Test
  void aRowLargerThanTheWholeBudgetIsAnInvalidRequest() {
    TtsRequest normal = requests(20).get(0);
    TtsRequest tooLong =
        TtsRequest.builder()
            .text(TEXTS[0])
            .description(DESCRIPTION.repeat(20))
            .sampling(SamplingOptions.builder().greedy(true).build())
            .build();
    long normalRow;
    long tooLongRow;
    try (ParlerEngine unbounded = engine(DeviceMemory.UNKNOWN)) {
      normalRow = unbounded.rowBytes(normal);
      tooLongRow = unbounded.rowBytes(tooLong);
    }
    assertTrue(tooLongRow > normalRow, "a row over a long description is larger");
    long budget = (normalRow + tooLongRow) / 2;
    try (ParlerEngine engine = engine(new DeviceMemory(budget, 1L << 30))) {
      // a row that exceeds the budget even alone is a bad request, not an overload
      InvalidRequestException e =
          assertThrows(InvalidRequestException.class, () -> engine.synthesize(tooLong));
      assertEquals("max_duration", e.field());
      assertTrue(e.getMessage().contains("batch memory budget"), e.getMessage());
      assertEquals(0, engine.inFlight());
      assertTrue(engine.synthesize(normal).samples().length > 0, "a row that fits still runs");
    }
  }

  @Test
  void noRoomForASingleRowFailsAtStart() {
    EngineUnavailableException e =
        assertThrows(EngineUnavailableException.class, () -> engine(new DeviceMemory(0, 1L << 30)));
    assertTrue(e.getMessage().contains("memory_reserve_bytes"), e.getMessage());
  }

  /**
   * The model loads on a thread of its own that has ended when {@code create} returns, so no
   * long-lived thread but the scheduler's keeps an OpenMP team (see {@code ParlerEngine}).
   */
  @Test
  void theModelLoadsOnAThreadThatHasEndedWhenCreateReturns() {
    MemoryProbe probe = new MemoryProbe(DeviceMemory.host());
    try (ParlerEngine engine = engine(probe)) {
      Thread builder = probe.firstAsker(); // the batch budget is sized while the engine is built
      assertNotSame(Thread.currentThread(), builder);
      assertEquals("parler-load", builder.getName());
      assertFalse(builder.isAlive(), "the loading thread has ended");
      assertTrue(engine.health().ready(), "and the engine is up");
    }
  }
}
