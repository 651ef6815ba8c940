package dev.parlance.tts.spi;

/**
 * Creates engines of one kind. Implementations are found with {@link java.util.ServiceLoader}: list
 * the class in {@code META-INF/services/dev.parlance.tts.spi.TtsEngineProvider}.
 */
public interface TtsEngineProvider {

  /** The name hosts select this provider by, e.g. {@code "parler"}; lower case. */
  String name();

  /**
   * Loads the model and returns a ready-to-use engine. May take a while (weights, warm-up).
   *
   * @throws IllegalArgumentException the configuration is invalid; the message names the setting
   * @throws EngineUnavailableException the model cannot be loaded
   */
  TtsEngine create(TtsEngineConfig config);
}
