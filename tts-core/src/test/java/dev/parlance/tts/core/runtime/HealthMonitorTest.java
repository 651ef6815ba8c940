package dev.parlance.tts.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.spi.EngineHealth;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class HealthMonitorTest {

  @Test
  void readyOnlyWhenLoadedWarmAndWithMemory() {
    HealthMonitor monitor = new HealthMonitor(1);
    AtomicLong deviceFree = new AtomicLong(8L << 30);
    monitor.addMemoryCheck("cuda:0", deviceFree::get, 2L << 30);

    EngineHealth loading = monitor.snapshot();
    assertFalse(loading.ready());
    assertEquals("loading the model", loading.detail());

    monitor.modelLoaded("cuda:0", true);
    EngineHealth warming = monitor.snapshot();
    assertTrue(warming.modelLoaded());
    assertFalse(warming.ready());
    assertEquals("warming up", warming.detail());

    monitor.warm();
    EngineHealth ready = monitor.snapshot();
    assertTrue(ready.ready());
    assertTrue(ready.gpuAvailable());
    assertEquals("cuda:0", ready.device());

    deviceFree.set(1L << 30);
    EngineHealth low = monitor.snapshot();
    assertFalse(low.ready());
    assertFalse(low.memoryAvailable());
    assertEquals("cuda:0 memory low: 1024 MiB free, need 2048", low.detail());

    deviceFree.set(4L << 30);
    monitor.closing("close() called");
    EngineHealth closing = monitor.snapshot();
    assertFalse(closing.ready());
    assertEquals("shutting down: close() called", closing.detail());
  }

  @Test
  void heapHeadroomIsPositiveAndBelowTheMaximum() {
    long headroom = HealthMonitor.heapHeadroom();
    assertTrue(headroom > 0 && headroom <= Runtime.getRuntime().maxMemory(), "" + headroom);
    assertFalse(new HealthMonitor(Long.MAX_VALUE).snapshot().memoryAvailable());
  }
}
