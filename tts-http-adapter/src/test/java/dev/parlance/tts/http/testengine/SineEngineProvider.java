package dev.parlance.tts.http.testengine;

import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsEngineProvider;

/** TEST ONLY. Registers {@link SineEngine} as provider {@value #NAME}. */
public final class SineEngineProvider implements TtsEngineProvider {
  public static final String NAME = "test-sine";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public TtsEngine create(TtsEngineConfig config) {
    return new SineEngine();
  }
}
