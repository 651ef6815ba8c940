package dev.parlance.tts.core.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.engine.StandardCapabilities;
import ai.djl.util.cuda.CudaUtils;
import java.lang.management.MemoryUsage;

/**
 * {@link GpuProbe} over DJL: a GPU is usable only when the loaded libtorch is a CUDA build and the
 * CUDA runtime sees a device (the CPU-only {@code pytorch-native-cpu} libtorch never is).
 */
final class DjlGpuProbe implements GpuProbe {
  private static final String ENGINE = "PyTorch";

  @Override
  public int gpuCount() {
    Engine engine = Engine.getEngine(ENGINE);
    return engine.hasCapability(StandardCapabilities.CUDA) ? engine.getGpuCount() : 0;
  }

  @Override
  public int computeCapability(int gpu) {
    try {
      return parseCapability(CudaUtils.getComputeCapability(gpu));
    } catch (RuntimeException e) {
      return -1;
    }
  }

  /** On a GPU, {@code cudaMemGetInfo} through DJL: memory other processes hold is not free. */
  @Override
  public DeviceMemory memory(Device device) {
    if (!device.isGpu()) {
      return DeviceMemory.host();
    }
    try {
      MemoryUsage usage = CudaUtils.getGpuMemory(device); // used = total - free, max = total
      return new DeviceMemory(usage.getMax() - usage.getUsed(), usage.getMax());
    } catch (RuntimeException | LinkageError e) {
      return DeviceMemory.UNKNOWN;
    }
  }

  @Override
  public String unavailableReason() {
    if (!Engine.getEngine(ENGINE).hasCapability(StandardCapabilities.CUDA)) {
      return "the loaded libtorch has no CUDA support (a CPU build such as pytorch-native-cpu)";
    }
    return "no CUDA device is visible (check the driver and CUDA_VISIBLE_DEVICES)";
  }

  /** Parses "80", "8.0" or "8.6" into major * 10 + minor. */
  static int parseCapability(String value) {
    if (value == null || value.isBlank()) {
      return -1;
    }
    String v = value.trim();
    int dot = v.indexOf('.');
    try {
      if (dot >= 0) {
        return Integer.parseInt(v.substring(0, dot)) * 10 + Integer.parseInt(v.substring(dot + 1));
      }
      return Integer.parseInt(v);
    } catch (NumberFormatException e) {
      return -1;
    }
  }
}
