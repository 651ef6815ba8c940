package dev.parlance.tts.core.engine;

import dev.parlance.tts.core.device.GpuProbe;
import dev.parlance.tts.core.hub.ModelResolver;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsEngineProvider;

/**
 * The {@code parler} provider: Parler-TTS checkpoints on DJL's PyTorch engine. The model is a hub
 * id ({@code org/name[@revision]}) or a directory, resolved with {@link
 * ModelResolver#fromEnvironment()} ({@code HF_*} variables), as the CLI and the server do.
 */
public final class ParlerEngineProvider implements TtsEngineProvider {
  /** The provider name. */
  public static final String NAME = "parler";

  @Override
  public String name() {
    return NAME;
  }

  @Override
  public TtsEngine create(TtsEngineConfig config) {
    return ParlerEngine.create(config, GpuProbe.djl(), ModelResolver.fromEnvironment());
  }
}
