package dev.parlance.tts.http.voice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.Voice;
import dev.parlance.tts.spi.VoiceInfo;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VoiceCatalogTest {
  static final ObjectMapper JSON = new ObjectMapper();

  @Test
  void everyVoiceHasAStableSeed() {
    VoiceCatalog c =
        VoiceCatalog.load(
            List.of(
                new VoiceInfo("default", "The engine's default.", OptionalLong.empty()),
                new VoiceInfo("Laura", "Laura's voice.", OptionalLong.empty())),
            Optional.empty(),
            JSON);
    assertEquals("default", c.names().get(0));
    // The engine's default keeps the built-in default's seed; its own preset goes by name.
    VoiceCatalog.ResolvedVoice def = c.resolve(null, null, 1.0, "voice");
    assertEquals(Voice.preset("default"), def.voice());
    assertEquals(42, def.seed().getAsLong());
    VoiceCatalog.ResolvedVoice laura = c.resolve("Laura", null, 1.0, "voice");
    assertEquals(laura.seed(), c.resolve("Laura", null, 1.0, "voice").seed());
    assertTrue(laura.seed().isPresent());
    // Instructions or a speed turn an engine preset into a description with the same seed.
    VoiceCatalog.ResolvedVoice slow = c.resolve("Laura", null, 0.5, "voice");
    assertEquals(Voice.described("Laura's voice. The speaker talks very slowly."), slow.voice());
    assertEquals(laura.seed(), slow.seed());
  }

  @Test
  void unknownVoicesAndBadSpeedsNameTheField() {
    VoiceCatalog c = VoiceCatalog.load(List.of(), Optional.empty(), JSON);
    InvalidRequestException e =
        assertThrows(InvalidRequestException.class, () -> c.resolve("zed", null, 1.0, "voice"));
    assertEquals("voice", e.field());
    assertTrue(e.getMessage().contains("alloy, ash"), e.getMessage());
    assertEquals(
        "speed",
        assertThrows(InvalidRequestException.class, () -> c.resolve("alloy", null, 0.1, "voice"))
            .field());
  }

  @Test
  void operatorVoicesFileAddsAndReplaces(@TempDir Path dir) throws Exception {
    Path file =
        Files.writeString(
            dir.resolve("voices.json"),
            "{\"voices\":[{\"name\":\"alloy\",\"description\":\"Ours.\",\"seed\":5},"
                + "{\"name\":\"host\",\"description\":\"The host.\",\"seed\":6}]}");
    VoiceCatalog c = VoiceCatalog.load(List.of(), Optional.of(file), JSON);
    assertEquals(Voice.described("Ours."), c.resolve("alloy", null, 1.0, "voice").voice());
    assertEquals(6, c.resolve("host", null, 1.0, "voice").seed().getAsLong());
    Path bad = Files.writeString(dir.resolve("bad.json"), "{\"voices\":[{\"name\":\"x\"}]}");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> VoiceCatalog.load(List.of(), Optional.of(bad), JSON));
    assertTrue(e.getMessage().startsWith("TTS_VOICES_FILE"), e.getMessage());
  }
}
