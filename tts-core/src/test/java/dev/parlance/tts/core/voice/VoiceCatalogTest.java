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
  void builtInPresetsHaveADefaultTrainedSpeakersAndDistinctSeeds() {
    VoiceCatalog catalog = VoiceCatalog.builtIn();
    List<VoiceInfo> infos = catalog.infos();
    assertEquals("default", infos.get(0).name());
    assertEquals("jon", catalog.defaultPreset().name());
    assertEquals(catalog.defaultPreset().description(), infos.get(0).description());
    assertTrue(
        catalog
            .names()
            .containsAll(
                List.of(
                    "jon",
                    "lea",
                    "gary",
                    "jenna",
                    "mike",
                    "laura",
                    "narrator",
                    "jerry",
                    "will",
                    "rick",
                    "eileen",
                    "karen",
                    "david",
                    "rose",
                    "james")),
        catalog.names().toString());
    for (VoicePreset p : catalog.presets()) {
      assertTrue(p.seed().isPresent(), p.name() + " has no seed");
      p.speaker().ifPresent(s -> assertTrue(p.description().contains(s)));
    }
    assertEquals(
        catalog.presets().size(),
        catalog.presets().stream().mapToLong(p -> p.seed().getAsLong()).distinct().count(),
        "every built-in preset has its own seed");
    // Seeds are part of a preset's identity: existing ones must not move.
    assertEquals(OptionalLong.of(1001), catalog.preset("jon").seed());
    assertEquals(OptionalLong.of(1007), catalog.preset("narrator").seed());
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
  void aVoicesFileAddsPresetsReplacesSameNamedOnesAndMayMoveTheDefault(@TempDir Path dir)
      throws Exception {
    Path file = dir.resolve("voices.json");
    Files.writeString(
        file,
        """
        {"default": "Calm",
         "voices": [
           {"name": "Calm", "description": "A calm, close voice.", "seed": 5},
           {"name": "LEA", "speaker": "Lea", "description": "Lea whispers.", "seed": 6},
           {"name": "tina", "speaker": "Tina", "description": "Tina speaks fast."}
         ]}
        """);
    VoiceCatalog builtIn = VoiceCatalog.builtIn();
    VoiceCatalog catalog = VoiceCatalog.load(Optional.of(file));
    List<String> names = catalog.names();
    assertEquals(builtIn.names().size() + 2, names.size(), names.toString());
    assertEquals(List.of("Calm", "tina"), names.subList(names.size() - 2, names.size()));
    assertEquals("LEA", names.get(builtIn.names().indexOf("lea")), "replaced in place");
    assertEquals("Lea whispers.", catalog.preset("lea").description());
    assertEquals(OptionalLong.of(6), catalog.preset("lea").seed());
    assertEquals(builtIn.preset("jon"), catalog.preset("jon"), "the rest are untouched");
    assertEquals(OptionalLong.empty(), catalog.preset("tina").seed());
    assertEquals(
        OptionalLong.of(5), catalog.resolve(Voice.defaultVoice(), SamplingOptions.DEFAULT).seed());
  }

  @Test
  void aVoicesFileWithoutDefaultKeepsTheBuiltInOne() {
    // The HTTP server's original TTS_VOICES_FILE shape: name, description, seed only.
    VoiceCatalog catalog =
        VoiceCatalog.builtIn()
            .overlaid(
                new StringReader(
                    "{\"voices\":[{\"name\":\"host\",\"description\":\"The host.\","
                        + "\"seed\":7}]}"),
                "test.json");
    assertEquals("jon", catalog.defaultPreset().name());
    ResolvedVoice host = catalog.resolve(Voice.preset("host"), SamplingOptions.DEFAULT);
    assertEquals("The host.", host.description());
    assertEquals(OptionalLong.of(7), host.seed());

    VoiceCatalog moved =
        VoiceCatalog.builtIn().overlaid(new StringReader("{\"default\": \"Laura\"}"), "t.json");
    assertEquals("laura", moved.defaultPreset().name());
    assertEquals(VoiceCatalog.builtIn().names(), moved.names());
  }

  @Test
  void aBadVoicesFileNamesTheFile(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("bad.json"), "{\"voices\":[{\"name\":\"x\"}]}");
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> VoiceCatalog.load(Optional.of(file)));
    assertTrue(e.getMessage().startsWith("voices file " + file + ": "), e.getMessage());
    assertTrue(e.getMessage().contains("description must be"), e.getMessage());
  }

  @Test
  void badVoicesFilesAreRejectedWithTheReason() {
    assertBad("{", "not valid JSON");
    assertBad("{}", "at least one voice");
    assertBad("{\"voices\": []}", "at least one voice");
    assertBad(
        "{\"default\": \"b\", \"voices\": [{\"name\": \"a\", \"description\": \"x\"}]}",
        "default must name one of the voices");
    assertBad(
        "{\"voices\": [{\"name\": \"a\", \"description\": \"x\"},"
            + " {\"name\": \"A\", \"description\": \"y\"}]}",
        "duplicate voice name");
    assertBad(
        "{\"voices\": [{\"name\": \"a\", \"description\": \"Zed talks.\","
            + " \"speaker\": \"Zed\"}]}",
        "not one Parler was trained on");
    assertBad(
        "{\"voices\": [{\"name\": \"a\", \"description\": \"He talks.\","
            + " \"speaker\": \"Jon\"}]}",
        "must name the speaker");
    assertBad(
        "{\"voices\": [{\"name\": \"default\", \"description\": \"x\"}]}",
        "no preset may be called");
    assertBad("{\"voices\": [{\"name\": \"a\"}]}", "description must be");
    assertBad("{\"voices\": [null]}", "a voice entry is null");
  }

  private static void assertBad(String json, String expected) {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> VoiceCatalog.builtIn().overlaid(new StringReader(json), "test.json"));
    assertTrue(e.getMessage().startsWith("test.json: "), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }
}
