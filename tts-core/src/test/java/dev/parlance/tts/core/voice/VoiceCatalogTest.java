package dev.parlance.tts.core.voice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.Voice;
import dev.parlance.tts.spi.VoiceInfo;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VoiceCatalogTest {

  @Test
  void builtInPresetsHaveADefaultAndTrainedSpeakers() {
    VoiceCatalog catalog = VoiceCatalog.builtIn();
    List<VoiceInfo> infos = catalog.infos();
    assertEquals("default", infos.get(0).name());
    assertEquals(catalog.defaultPreset().description(), infos.get(0).description());
    assertTrue(
        catalog.names().containsAll(List.of("jon", "lea", "gary", "jenna", "mike", "laura")));
    for (VoicePreset p : catalog.presets()) {
      assertTrue(p.seed().isPresent(), p.name() + " has no seed");
      p.speaker().ifPresent(s -> assertTrue(p.description().contains(s)));
    }
    assertEquals(34, ParlerSpeakers.NAMES.size());
    assertEquals(34, ParlerSpeakers.NAMES.stream().distinct().count());
  }

  @Test
  void presetsResolveToDescriptionAndSeed() {
    VoiceCatalog catalog = VoiceCatalog.builtIn();
    ResolvedVoice jon = catalog.resolve(Voice.preset("JON"), SamplingOptions.DEFAULT);
    assertEquals(Optional.of("jon"), jon.preset());
    assertTrue(jon.description().startsWith("Jon's voice"));
    assertEquals(OptionalLong.of(1001), jon.seed());

    ResolvedVoice byDefault = catalog.resolve(Voice.defaultVoice(), SamplingOptions.DEFAULT);
    assertEquals(catalog.defaultPreset().description(), byDefault.description());

    ResolvedVoice ownSeed =
        catalog.resolve(Voice.preset("lea"), SamplingOptions.DEFAULT.withSeed(7));
    assertEquals(OptionalLong.of(7), ownSeed.seed(), "the request's seed wins");

    ResolvedVoice described =
        catalog.resolve(Voice.described("A deep voice."), SamplingOptions.DEFAULT);
    assertEquals(Optional.empty(), described.preset());
    assertEquals("A deep voice.", described.description());
    assertEquals(OptionalLong.empty(), described.seed());
  }

  @Test
  void unknownVoicesAreInvalidRequestsNamingTheValidOnes() {
    VoiceCatalog catalog = VoiceCatalog.builtIn();
    InvalidRequestException e =
        assertThrows(
            InvalidRequestException.class,
            () -> catalog.resolve(Voice.preset("nobody"), SamplingOptions.DEFAULT));
    assertEquals("voice", e.field());
    assertTrue(e.getMessage().contains("\"nobody\""), e.getMessage());
    assertTrue(e.getMessage().contains("default, jon, lea"), e.getMessage());
  }

  @Test
  void loadsAVoicesFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("voices.json");
    Files.writeString(
        file,
        """
        {"default": "Calm",
         "voices": [
           {"name": "Calm", "description": "A calm, close voice.", "seed": 5},
           {"name": "tina", "speaker": "Tina", "description": "Tina speaks fast."}
         ]}
        """);
    VoiceCatalog catalog = VoiceCatalog.loadOrBuiltIn(Optional.of(file));
    assertEquals(List.of("default", "Calm", "tina"), catalog.names());
    assertEquals(OptionalLong.empty(), catalog.preset("tina").seed());
    assertEquals(
        OptionalLong.of(5), catalog.resolve(Voice.defaultVoice(), SamplingOptions.DEFAULT).seed());
  }

  @Test
  void badVoicesFilesAreRejectedWithTheReason() {
    assertBad("{", "not valid JSON");
    assertBad("{\"default\": \"a\", \"voices\": []}", "at least one voice");
    assertBad(
        "{\"default\": \"b\", \"voices\": [{\"name\": \"a\", \"description\": \"x\"}]}",
        "default must name one of the voices");
    assertBad(
        "{\"default\": \"a\", \"voices\": [{\"name\": \"a\", \"description\": \"x\"},"
            + " {\"name\": \"A\", \"description\": \"y\"}]}",
        "duplicate voice name");
    assertBad(
        "{\"default\": \"a\", \"voices\": [{\"name\": \"a\", \"description\": \"Zed talks.\","
            + " \"speaker\": \"Zed\"}]}",
        "not one Parler was trained on");
    assertBad(
        "{\"default\": \"a\", \"voices\": [{\"name\": \"a\", \"description\": \"He talks.\","
            + " \"speaker\": \"Jon\"}]}",
        "must name the speaker");
    assertBad(
        "{\"default\": \"default\", \"voices\": [{\"name\": \"default\", \"description\": \"x\"}]}",
        "no preset may be called");
    assertBad("{\"default\": \"a\", \"voices\": [{\"name\": \"a\"}]}", "description must be");
  }

  private static void assertBad(String json, String expected) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> VoiceCatalog.parse(new StringReader(json), "test.json"));
    assertTrue(e.getMessage().startsWith("test.json: "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
