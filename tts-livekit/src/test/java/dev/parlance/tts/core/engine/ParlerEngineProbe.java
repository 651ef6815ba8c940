package dev.parlance.tts.core.engine;

import dev.parlance.tts.spi.TtsEngine;

/**
 * TEST ONLY. Reads the {@code parler} engine's package-private counters (decoder steps run,
 * requests in flight) so tts-livekit's end-to-end tests can see the real generation loop stop, the
 * way tts-core's own {@code ParlerEngineTest} does. Lives in the engine's package for that access.
 */
public final class ParlerEngineProbe {
  private final ParlerEngine engine;

  /**
   * @throws IllegalArgumentException {@code engine} is not the {@code parler} engine
   */
  public ParlerEngineProbe(TtsEngine engine) {
    if (!(engine instanceof ParlerEngine parler)) {
      throw new IllegalArgumentException("not a parler engine: " + engine.getClass());
    }
    this.engine = parler;
  }

  /** Decoder steps run so far, over all requests (a step over r rows counts r). */
  public long decoderSteps() {
    return engine.decoderSteps();
  }

  /** Batched decoder steps run so far: one per step of the scheduler, whatever its rows. */
  public long batchedSteps() {
    return engine.batchedSteps();
  }

  /** Requests admitted whose worker has not finished (0 once a cancelled loop has stopped). */
  public int inFlight() {
    return engine.inFlight();
  }
}
