package dev.parlance.tts.core.device;

import ai.djl.Device;

/**
 * What the process can use of the machine's CUDA GPUs, and how much memory a device has free. The
 * real probe asks DJL's PyTorch engine and the CUDA runtime; tests substitute their own so the CUDA
 * and memory decisions run on machines without a GPU.
 */
public interface GpuProbe {

  /** Number of CUDA GPUs the PyTorch engine can use; 0 when CUDA is unusable. */
  int gpuCount();

  /**
   * Compute capability of a GPU as {@code major * 10 + minor} (80 for an A100, 90 for an H100), or
   * -1 when unknown.
   */
  int computeCapability(int gpu);

  /** Why no GPU is usable, for error messages; only meaningful when {@link #gpuCount()} is 0. */
  String unavailableReason();

  /**
   * Free and total memory of {@code device} now: the host's for the CPU ({@link
   * DeviceMemory#host()}); for a GPU, what the CUDA runtime reports (this default knows none).
   */
  default DeviceMemory memory(Device device) {
    return device.isGpu() ? DeviceMemory.UNKNOWN : DeviceMemory.host();
  }

  /** The probe backed by DJL's PyTorch engine and CUDA runtime. */
  static GpuProbe djl() {
    return new DjlGpuProbe();
  }
}
