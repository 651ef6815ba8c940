package dev.parlance.tts.core.device;

/**
 * Free and total memory of a compute device at one moment: GPU memory for a CUDA device, the host's
 * available physical memory for the CPU.
 *
 * @param freeBytes bytes the process could still allocate; -1 when unknown
 * @param totalBytes the device's capacity; -1 when unknown
 */
public record DeviceMemory(long freeBytes, long totalBytes) {

  /** Nothing is known (no probe for the device, or the probe failed). */
  public static final DeviceMemory UNKNOWN = new DeviceMemory(-1, -1);

  public DeviceMemory {
    if (freeBytes < -1 || totalBytes < -1) {
      throw new IllegalArgumentException(
          "memory sizes must be >= 0 (or -1 = unknown), got " + freeBytes + "/" + totalBytes);
    }
  }

  /** Whether the free size is known. */
  public boolean known() {
    return freeBytes >= 0;
  }

  /** The host's memory as the CPU device sees it (see {@link HostMemory}). */
  public static DeviceMemory host() {
    return HostMemory.read();
  }
}
