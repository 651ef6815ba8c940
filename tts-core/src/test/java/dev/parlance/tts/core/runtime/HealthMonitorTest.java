package dev.parlance.tts.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.core.device.DeviceMemory;
import dev.parlance.tts.spi.EngineHealth;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
  void reportsDeviceMemoryAndHoldsAGpuToItsMinimum() {
    HealthMonitor monitor = new HealthMonitor(1);
    AtomicReference<DeviceMemory> gpu = new AtomicReference<>(new DeviceMemory(6L << 30, 8L << 30));
    monitor.deviceMemory(
        () -> {
          DeviceMemory m = gpu.get();
          if (m == null) {
            throw new IllegalStateException("CUDA call failed");
          }
          return m;
        },
        256L << 20);
    monitor.modelLoaded("cuda:0", true);
    monitor.warm();
    EngineHealth ok = monitor.snapshot();
    assertTrue(ok.ready());
    assertEquals(6L << 30, ok.memoryFreeBytes());
    assertEquals(8L << 30, ok.memoryTotalBytes());

    gpu.set(new DeviceMemory(100L << 20, 8L << 30));
    EngineHealth low = monitor.snapshot();
    assertFalse(low.ready());
    assertFalse(low.memoryAvailable());
    assertEquals("cuda:0 memory low: 100 MiB free, need 256", low.detail());
    assertEquals(100L << 20, low.memoryFreeBytes());

    gpu.set(null); // a failed reading is unknown and fails no check
    EngineHealth unknown = monitor.snapshot();
    assertTrue(unknown.ready());
    assertEquals(-1, unknown.memoryFreeBytes());
    assertEquals(-1, unknown.memoryTotalBytes());
  }

  @Test
  void aCpuReportsHostMemoryWithoutAMinimum() {
    HealthMonitor monitor = new HealthMonitor(1);
    monitor.deviceMemory(() -> new DeviceMemory(0, 16L << 30), 0);
    monitor.modelLoaded("cpu", false);
    monitor.warm();
    EngineHealth h = monitor.snapshot();
    assertTrue(h.ready());
    assertEquals(0, h.memoryFreeBytes());
    assertEquals(16L << 30, h.memoryTotalBytes());
    assertEquals(-1, new HealthMonitor(1).snapshot().memoryFreeBytes(), "no probe: unknown");
  }

  @Test
  void heapHeadroomIsPositiveAndBelowTheMaximum() {
    long headroom = HealthMonitor.heapHeadroom();
    assertTrue(headroom > 0 && headroom <= Runtime.getRuntime().maxMemory(), "" + headroom);
    assertFalse(new HealthMonitor(Long.MAX_VALUE).snapshot().memoryAvailable());
  }
}
