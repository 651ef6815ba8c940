package dev.parlance.tts.benchmarks;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import dev.parlance.tts.core.device.GpuProbe;
import dev.parlance.tts.spi.EngineUnavailableException;
import org.junit.jupiter.api.Test;

/** {@code --device} resolves as the engine's {@code device} setting does. */
class BenchDeviceTest {

  @Test
  void cpuAndAutoWithoutCudaAreTheCpu() {
    assertEquals(Device.cpu(), BenchDevice.resolve("cpu"));
    assumeTrue(GpuProbe.djl().gpuCount() == 0, "this machine has a usable GPU");
    assertEquals(Device.cpu(), BenchDevice.resolve("auto"));
  }

  @Test
  void cudaWithoutCudaFailsWithTheReason() {
    GpuProbe probe = GpuProbe.djl();
    assumeTrue(probe.gpuCount() == 0, "this machine has a usable GPU");
    EngineUnavailableException e =
        assertThrows(EngineUnavailableException.class, () -> BenchDevice.resolve("cuda:0"));
    assertTrue(e.getMessage().startsWith("device=cuda:0 asks for CUDA"), e.getMessage());
    assertTrue(e.getMessage().contains(probe.unavailableReason()), e.getMessage());
  }

  @Test
  void anUnknownDeviceNamesTheSetting() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> BenchDevice.resolve("tpu"));
    assertTrue(e.getMessage().startsWith("device: expected"), e.getMessage());
  }
}
