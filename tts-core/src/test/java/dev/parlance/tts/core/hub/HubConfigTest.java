package dev.parlance.tts.core.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class HubConfigTest {
  @TempDir Path tmp;

  // Tests never read the token file of the machine they run on.
  private String noFile() {
    return tmp.resolve("no-token-file").toString();
  }

  @Test
  void defaultsAreThoseOfHuggingfaceHub() {
    HubConfig c = HubConfig.fromEnvironment(Map.of("HF_HOME", tmp.toString()));
    assertEquals(tmp.resolve("hub"), c.cacheDir());
    assertEquals(URI.create("https://huggingface.co"), c.endpoint());
    assertEquals(Optional.empty(), c.token());
    assertFalse(c.offline());
    assertEquals(Duration.ofSeconds(10), c.etagTimeout());
    assertEquals(Duration.ofSeconds(10), c.downloadTimeout());

    HubConfig xdg =
        HubConfig.fromEnvironment(
            Map.of("XDG_CACHE_HOME", tmp.toString(), "HF_TOKEN_PATH", noFile()));
    assertEquals(tmp.resolve("huggingface/hub"), xdg.cacheDir());
    HubConfig home = HubConfig.fromEnvironment(Map.of("HF_TOKEN_PATH", noFile()));
    assertEquals(
        Path.of(System.getProperty("user.home"), ".cache", "huggingface", "hub"), home.cacheDir());
  }

  @Test
  void variablesOverrideTheDefaults() {
    HubConfig c =
        HubConfig.fromEnvironment(
            Map.of(
                "HF_HOME", tmp.toString(),
                "HF_HUB_CACHE", tmp.resolve("elsewhere").toString(),
                "HF_ENDPOINT", "http://127.0.0.1:9/",
                "HF_TOKEN", " hf_abc ",
                "HF_HUB_OFFLINE", "1",
                "HF_HUB_ETAG_TIMEOUT", "2.5",
                "HF_HUB_DOWNLOAD_TIMEOUT", "30"));
    assertEquals(tmp.resolve("elsewhere"), c.cacheDir());
    assertEquals(URI.create("http://127.0.0.1:9"), c.endpoint()); // trailing slash dropped
    assertEquals(Optional.of("hf_abc"), c.token());
    assertTrue(c.offline());
    assertEquals(Duration.ofMillis(2500), c.etagTimeout());
    assertEquals(Duration.ofSeconds(30), c.downloadTimeout());
  }

  @Test
  void offlineTakesPythonsTrueValues() {
    for (String v : new String[] {"1", "true", "ON", "yes"}) {
      assertTrue(
          HubConfig.fromEnvironment(Map.of("HF_HOME", tmp.toString(), "HF_HUB_OFFLINE", v))
              .offline(),
          v);
    }
    for (String v : new String[] {"0", "false", "", "off"}) {
      assertFalse(
          HubConfig.fromEnvironment(Map.of("HF_HOME", tmp.toString(), "HF_HUB_OFFLINE", v))
              .offline(),
          v);
    }
  }

  @Test
  void tokenComesFromTheLoginFileWhenTheVariableIsUnset() throws IOException {
    Files.writeString(tmp.resolve("token"), "hf_from_file\n");
    assertEquals(
        Optional.of("hf_from_file"),
        HubConfig.fromEnvironment(Map.of("HF_HOME", tmp.toString())).token());
    assertEquals(
        Optional.of("hf_env"),
        HubConfig.fromEnvironment(Map.of("HF_HOME", tmp.toString(), "HF_TOKEN", "hf_env")).token());
    Path other = Files.writeString(tmp.resolve("other-token"), "hf_other");
    assertEquals(
        Optional.of("hf_other"),
        HubConfig.fromEnvironment(
                Map.of("HF_HOME", tmp.toString(), "HF_TOKEN_PATH", other.toString()))
            .token());
  }

  @Test
  void malformedValuesNameTheVariable() {
    IllegalArgumentException t =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HubConfig.fromEnvironment(
                    Map.of("HF_HOME", tmp.toString(), "HF_HUB_DOWNLOAD_TIMEOUT", "soon")));
    assertTrue(t.getMessage().contains("HF_HUB_DOWNLOAD_TIMEOUT"), t.getMessage());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                HubConfig.fromEnvironment(
                    Map.of("HF_HOME", tmp.toString(), "HF_ENDPOINT", "ftp://mirror")));
    assertTrue(e.getMessage().contains("ftp://mirror"), e.getMessage());
  }

  @Test
  void toStringNeverShowsTheToken() {
    HubConfig c =
        HubConfig.fromEnvironment(Map.of("HF_HOME", tmp.toString(), "HF_TOKEN", "hf_secret"));
    assertFalse(c.toString().contains("hf_secret"), c.toString());
    assertTrue(c.toString().contains("token=<set>"), c.toString());
  }
}
