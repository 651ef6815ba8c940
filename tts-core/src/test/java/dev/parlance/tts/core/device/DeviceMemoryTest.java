package dev.parlance.tts.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import java.util.List;
import org.junit.jupiter.api.Test;

class DeviceMemoryTest {

  @Test
  void parsesAvailableAndTotalFromMeminfo() {
    DeviceMemory m =
        HostMemory.parseMeminfo(
            List.of(
                "MemTotal:       24568124 kB",
                "MemFree:          812344 kB",
                "MemAvailable:   15360000 kB",
                "Buffers:          123456 kB"));
    assertEquals(15_360_000L * 1024, m.freeBytes());
    assertEquals(24_568_124L * 1024, m.totalBytes());
    assertFalse(HostMemory.parseMeminfo(List.of("MemTotal: 1024 kB")).known());
  }

  @Test
  void realProbeMeasuresTheHostAndEveryVisibleGpu() {
    GpuProbe probe = GpuProbe.djl();
    DeviceMemory host = probe.memory(Device.cpu());
    assertTrue(host.known(), "host memory is measurable here");
    assertTrue(host.freeBytes() > 0 && host.freeBytes() <= host.totalBytes(), host.toString());
    for (int gpu = 0; gpu < probe.gpuCount(); gpu++) {
      DeviceMemory m = probe.memory(Device.gpu(gpu));
      assertTrue(m.known() && m.freeBytes() <= m.totalBytes(), "cuda:" + gpu + " " + m);
    }
  }

  @Test
  void sizesAreNonNegativeOrUnknown() {
    assertFalse(DeviceMemory.UNKNOWN.known());
    assertThrows(IllegalArgumentException.class, () -> new DeviceMemory(-2, 10));
  }
}
