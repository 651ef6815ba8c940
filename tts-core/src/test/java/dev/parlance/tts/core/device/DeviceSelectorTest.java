package dev.parlance.tts.core.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.parlance.tts.spi.EngineUnavailableException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class DeviceSelectorTest {

  /** A machine with {@code count} GPUs of one compute capability. */
  record StubProbe(int count, int capability) implements GpuProbe {
    @Override
    public int gpuCount() {
      return count;
    }

    @Override
    public int computeCapability(int gpu) {
      return gpu < count ? capability : -1;
    }

    @Override
    public String unavailableReason() {
      return "stub: no GPU";
    }
  }

  static final GpuProbe NO_GPU = new StubProbe(0, -1);
  static final GpuProbe TWO_GPUS = new StubProbe(2, 90);

  @Test
  void autoPrefersTheFirstGpu() {
    assertEquals(Device.gpu(0), DeviceSelector.select("auto", TWO_GPUS));
    assertEquals(Device.gpu(0), DeviceSelector.select(null, TWO_GPUS));
    assertEquals(Device.gpu(0), DeviceSelector.select(" ", TWO_GPUS));
  }

  @Test
  void autoFallsBackToCpuWithoutGpu() {
    assertEquals(Device.cpu(), DeviceSelector.select("auto", NO_GPU));
    assertEquals(Device.cpu(), DeviceSelector.select("AUTO", NO_GPU));
  }

  @Test
  void cpuIsCpuEvenWithGpus() {
    assertEquals(Device.cpu(), DeviceSelector.select("cpu", TWO_GPUS));
  }

  @Test
  void explicitCuda() {
    assertEquals(Device.gpu(0), DeviceSelector.select("cuda", TWO_GPUS));
    assertEquals(Device.gpu(1), DeviceSelector.select(" cuda:1 ", TWO_GPUS));
    assertEquals("cuda:1", DeviceSelector.describe(Device.gpu(1)));
    assertEquals("cpu", DeviceSelector.describe(Device.cpu()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"cuda", "cuda:0", "cuda:3"})
  void cudaWithoutGpuIsAStartupErrorNotAFallback(String setting) {
    EngineUnavailableException e =
        assertThrows(
            EngineUnavailableException.class, () -> DeviceSelector.select(setting, NO_GPU));
    assertTrue(e.getMessage().contains("device=" + setting), e.getMessage());
    assertTrue(e.getMessage().contains("stub: no GPU"), e.getMessage());
  }

  @Test
  void cudaIndexBeyondTheGpusIsAStartupError() {
    EngineUnavailableException e =
        assertThrows(
            EngineUnavailableException.class, () -> DeviceSelector.select("cuda:2", TWO_GPUS));
    assertTrue(e.getMessage().contains("only 2"), e.getMessage());
  }

  @ParameterizedTest
  @ValueSource(strings = {"gpu", "cuda:", "cuda:-1", "cuda:x", "cuda:99999999999", "tpu", "cpu:0"})
  void invalidSettingNamesTheSetting(String setting) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> DeviceSelector.select(setting, TWO_GPUS));
    assertTrue(e.getMessage().startsWith("device:"), e.getMessage());
    assertTrue(e.getMessage().contains("'" + setting + "'"), e.getMessage());
  }

  @Test
  void realProbeIsConsistentWithSelection() {
    GpuProbe probe = GpuProbe.djl();
    if (probe.gpuCount() == 0) {
      assertEquals(Device.cpu(), DeviceSelector.select("auto", probe));
      EngineUnavailableException e =
          assertThrows(
              EngineUnavailableException.class, () -> DeviceSelector.select("cuda", probe));
      assertTrue(e.getMessage().contains(probe.unavailableReason()), e.getMessage());
    } else {
      assertEquals(Device.gpu(0), DeviceSelector.select("auto", probe));
      assertTrue(probe.computeCapability(0) > 0);
    }
  }

  @Test
  void parsesComputeCapabilities() {
    assertEquals(80, DjlGpuProbe.parseCapability("80"));
    assertEquals(86, DjlGpuProbe.parseCapability("8.6"));
    assertEquals(120, DjlGpuProbe.parseCapability("12.0"));
    assertEquals(-1, DjlGpuProbe.parseCapability("n/a"));
    assertEquals(-1, DjlGpuProbe.parseCapability(null));
  }
}
