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
 */
public record EngineHealth(
    boolean modelLoaded,
    String device,
    boolean memoryAvailable,
    boolean gpuAvailable,
    boolean warm,
    String detail) {

  /** Whether the engine should receive traffic now. */
  public boolean ready() {
    return modelLoaded && memoryAvailable && warm;
  }
}
