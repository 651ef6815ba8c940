package dev.parlance.tts.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TtsEnginesTest {

  /** A provider used only to prove ServiceLoader discovery; it creates no engine. */
  public static final class RecordingProvider implements TtsEngineProvider {
    static TtsEngineConfig lastConfig;

    @Override
    public String name() {
      return "recording";
    }

    @Override
    public TtsEngine create(TtsEngineConfig config) {
      lastConfig = config;
      throw new EngineUnavailableException("recording provider has no model");
    }
  }

  @Test
  void unknownProviderListsWhatIsAvailable() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> TtsEngines.provider("nope"));
    assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
    assertTrue(e.getMessage().contains("available"), e.getMessage());
  }

  @Test
  void providersAreDiscoveredByServiceLoaderAndSelectedByName(@TempDir Path dir)
      throws IOException {
    Path services = dir.resolve("META-INF/services");
    Files.createDirectories(services);
    Files.writeString(
        services.resolve(TtsEngineProvider.class.getName()),
        RecordingProvider.class.getName() + "\n");
    try (URLClassLoader loader =
        new URLClassLoader(new URL[] {dir.toUri().toURL()}, getClass().getClassLoader())) {
      List<TtsEngineProvider> found = TtsEngines.providers(loader);
      assertEquals(1, found.size());
      assertEquals("recording", found.get(0).name());
    }
  }

  @Test
  void configNormalisesDefaultsAndKeepsOptions() {
    TtsEngineConfig c =
        TtsEngineConfig.builder().model(" org/name ").option("max_batch_size", "8").build();
    assertEquals("org/name", c.model());
    assertEquals("auto", c.device());
    assertEquals("auto", c.dtype());
    assertEquals("8", c.option("max_batch_size").orElseThrow());
    assertTrue(c.option("missing").isEmpty());
    assertThrows(UnsupportedOperationException.class, () -> c.options().put("a", "b"));
    assertThrows(IllegalArgumentException.class, () -> TtsEngineConfig.builder().build());
    assertEquals(Map.of(), TtsEngineConfig.builder().model("m").build().options());
  }
}
