package dev.parlance.tts.http.voice;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.core.voice.VoiceCatalog;
import dev.parlance.tts.core.voice.VoicePreset;
import dev.parlance.tts.http.voice.ServerVoices.Listed;
import dev.parlance.tts.http.voice.ServerVoices.ResolvedVoice;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.Voice;
import dev.parlance.tts.spi.VoiceInfo;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class ServerVoicesTest {
  /** The Parler engine's own presets: what the aliases must land on. */
  static final VoiceCatalog ENGINE = VoiceCatalog.builtIn();

  static final ServerVoices VOICES = ServerVoices.of(ENGINE.infos());

  @Test
  void everyOpenAiNameIsADistinctEnginePresetWithItsDescriptionAndSeed() {
    assertEquals(
        List.of(
            "alloy", "ash", "ballad", "coral", "echo", "fable", "onyx", "nova", "sage", "shimmer",
            "verse", "marin", "cedar"),
        List.copyOf(ServerVoices.OPENAI_ALIASES.keySet()));
    assertEquals(
        ServerVoices.OPENAI_ALIASES.size(),
        new HashSet<>(ServerVoices.OPENAI_ALIASES.values()).size(),
        "one engine preset per OpenAI name");
    ServerVoices.OPENAI_ALIASES.forEach(
        (alias, name) -> {
          VoicePreset preset = ENGINE.preset(name); // throws if the engine lacks it
          ResolvedVoice voice = VOICES.resolve(alias, null, 1.0, "voice");
          assertEquals(Voice.preset(name), voice.voice(), alias);
          assertEquals(preset.seed(), voice.seed(), alias);
          // Reworded by speed, it is still that preset's description and seed.
          ResolvedVoice slow = VOICES.resolve(alias, null, 0.5, "voice");
          assertEquals(
              Voice.described(preset.description() + " The speaker talks very slowly."),
              slow.voice());
          assertEquals(preset.seed(), slow.seed(), alias);
        });
  }

  @Test
  void theListingHasTheEnginePresetsThenTheAliasesWithTheirTargets() {
    List<Listed> listed = VOICES.voices();
    assertEquals(
        ENGINE.infos(),
        listed.subList(0, ENGINE.infos().size()).stream().map(Listed::info).toList());
    assertEquals("default", listed.get(0).info().name());
    Listed alloy =
        listed.stream().filter(l -> l.info().name().equals("alloy")).findFirst().orElseThrow();
    assertEquals(Optional.of("jon"), alloy.aliasOf());
    assertEquals(ENGINE.preset("jon").description(), alloy.info().description());
    assertEquals(ENGINE.preset("jon").seed(), alloy.info().seed());
    assertEquals(ENGINE.infos().size() + ServerVoices.OPENAI_ALIASES.size(), listed.size());
  }

  @Test
  void theDefaultIsTheEnginesDefault() {
    for (String name : new String[] {null, " ", "default", "DEFAULT"}) {
      ResolvedVoice voice = VOICES.resolve(name, null, 1.0, "voice");
      assertEquals(Voice.defaultVoice(), voice.voice(), "" + name);
      assertEquals(ENGINE.defaultPreset().seed(), voice.seed());
    }
    ResolvedVoice jon = VOICES.resolve("Jon", "A whisper.", 1.0, "voice");
    assertEquals(
        Voice.described("A whisper."), jon.voice(), "instructions replace the description");
    assertEquals(OptionalLong.of(1001), jon.seed());
  }

  @Test
  void unknownVoicesAndBadSpeedsNameTheField() {
    InvalidRequestException e =
        assertThrows(InvalidRequestException.class, () -> VOICES.resolve("zed", null, 1.0, "id"));
    assertEquals("id", e.field());
    assertTrue(e.getMessage().contains("'zed'"), e.getMessage());
    assertTrue(e.getMessage().contains("default, jon, lea"), e.getMessage());
    assertTrue(e.getMessage().contains("alloy, ash"), e.getMessage());
    assertEquals(
        "speed",
        assertThrows(
                InvalidRequestException.class, () -> VOICES.resolve("alloy", null, 0.1, "voice"))
            .field());
  }

  @Test
  void anEngineWithoutTheTargetsSpeaksAliasesWithItsDefault() {
    ServerVoices voices =
        ServerVoices.of(
            List.of(
                new VoiceInfo("default", "A plain voice.", OptionalLong.of(7)),
                new VoiceInfo("alloy", "The operator's alloy.", OptionalLong.of(8))));
    assertEquals(Voice.preset("default"), voices.resolve("nova", null, 1.0, "voice").voice());
    assertEquals(OptionalLong.of(7), voices.resolve("nova", null, 1.0, "voice").seed());
    // An engine preset of an OpenAI name wins over the alias, and is listed once.
    assertEquals(Voice.preset("alloy"), voices.resolve("alloy", null, 1.0, "voice").voice());
    assertEquals(1, voices.names().stream().filter("alloy"::equals).count());
    assertEquals(
        Optional.of("default"),
        voices.voices().stream()
            .filter(l -> l.info().name().equals("nova"))
            .findFirst()
            .orElseThrow()
            .aliasOf());
    assertThrows(
        IllegalStateException.class,
        () -> ServerVoices.of(List.of(new VoiceInfo("x", "X.", OptionalLong.empty()))));
  }
}
