package dev.parlance.tts.spi;

/**
 * A point-in-time view of an engine's readiness, for liveness/readiness endpoints.
 *
 * @param modelLoaded weights are loaded on the device
 * @param device the compute device in use, e.g. {@code "cpu"} or {@code "cuda:0"}
 * @param memoryAvailable enough host (and device) memory remains to take work
 * @param gpuAvailable a CUDA device is usable by this process
 * @param warm start-up warm-up finished, so latency is what it will be
 * @param detail a short human-readable note, e.g. why the engine is not ready
 * @param memoryFreeBytes free memory of {@code device} (GPU memory on a GPU, available physical
 *     memory on the CPU); -1 when unknown
 * @param memoryTotalBytes capacity of {@code device}'s memory; -1 when unknown
 */
public record EngineHealth(
    boolean modelLoaded,
    String device,
    boolean memoryAvailable,
    boolean gpuAvailable,
    boolean warm,
    String detail,
    long memoryFreeBytes,
    long memoryTotalBytes) {

  /** A snapshot without device memory figures (both -1). */
  public EngineHealth(
      boolean modelLoaded,
      String device,
      boolean memoryAvailable,
      boolean gpuAvailable,
      boolean warm,
      String detail) {
    this(modelLoaded, device, memoryAvailable, gpuAvailable, warm, detail, -1, -1);
  }

  /** Whether the engine should receive traffic now. */
  public boolean ready() {
    return modelLoaded && memoryAvailable && warm;
  }
}
