package dev.parlance.tts.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.parlance.tts.core.device.DeviceMemory;
import dev.parlance.tts.core.device.GpuProbe;
import dev.parlance.tts.core.hub.ModelResolver;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.spi.TtsEngineConfig;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The model loads on a thread of its own that has ended when {@code create} returns, so no
 * long-lived thread but the scheduler's keeps an OpenMP team (see {@code ParlerEngine}).
 */
class ParlerEngineLoadThreadTest {

  /** No GPU; records the threads that ask for memory (the engine asks while it is built). */
  private static final class RecordingProbe implements GpuProbe {
    final List<Thread> askedFrom = new ArrayList<>();

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
      return DeviceMemory.host();
    }
  }

  @Test
  void theModelLoadsOnAThreadThatHasEndedWhenCreateReturns() {
    RecordingProbe probe = new RecordingProbe();
    TtsEngineConfig config =
        TtsEngineConfig.builder()
            .model(Fixtures.checkpoint("tiny-mini-v1-arch").toString())
            .device("cpu")
            .dtype("float32")
            .option("phrase_cache_bytes", "0")
            .build();
    try (ParlerEngine engine =
        ParlerEngine.create(config, probe, ModelResolver.fromEnvironment())) {
      Thread builder;
      synchronized (probe) {
        assertFalse(probe.askedFrom.isEmpty(), "the engine sizes its batch budget while built");
        builder = probe.askedFrom.get(0);
      }
      assertNotSame(Thread.currentThread(), builder);
      assertEquals("parler-load", builder.getName());
      assertFalse(builder.isAlive(), "the loading thread has ended");
      assertTrue(engine.health().ready(), "and the engine is up");
    }
  }
}
