package dev.parlance.tts.spi;

import java.util.List;
import java.util.Locale;
import java.util.ServiceLoader;
import java.util.stream.Collectors;

/** Finds {@link TtsEngineProvider}s on the class path and creates engines by provider name. */
public final class TtsEngines {
  private TtsEngines() {}

  /** Every provider visible to this class's class loader. */
  public static List<TtsEngineProvider> providers() {
    return providers(TtsEngines.class.getClassLoader());
  }

  /** Every provider visible to {@code loader}. */
  public static List<TtsEngineProvider> providers(ClassLoader loader) {
    return ServiceLoader.load(TtsEngineProvider.class, loader).stream()
        .map(ServiceLoader.Provider::get)
        .collect(Collectors.toUnmodifiableList());
  }

  /**
   * The provider called {@code name} (case-insensitive).
   *
   * @throws IllegalArgumentException no provider has that name; the message lists those found
   */
  public static TtsEngineProvider provider(String name) {
    List<TtsEngineProvider> all = providers();
    String wanted = name == null ? "" : name.trim().toLowerCase(Locale.ROOT);
    return all.stream()
        .filter(p -> p.name().toLowerCase(Locale.ROOT).equals(wanted))
        .findFirst()
        .orElseThrow(
            () ->
                new IllegalArgumentException(
                    "no TTS engine provider named '"
                        + name
                        + "'; available: "
                        + (all.isEmpty()
                            ? "none (is an engine module such as tts-core on the class path?)"
                            : all.stream()
                                .map(TtsEngineProvider::name)
                                .sorted()
                                .collect(Collectors.joining(", ")))));
  }

  /** Creates an engine with the provider called {@code name}. */
  public static TtsEngine load(String name, TtsEngineConfig config) {
    return provider(name).create(config);
  }
}
