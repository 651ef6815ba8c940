package dev.parlance.tts.http.voice;

import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.Voice;
import dev.parlance.tts.spi.VoiceInfo;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The voice names the server answers to: the engine's own presets (which live in the engine, e.g.
 * tts-core's {@code voices.json} plus {@code TTS_VOICES_FILE}), and OpenAI's voice names as aliases
 * of them, so clients with OpenAI defaults ({@code alloy}) work unchanged and each name keeps one
 * sound. Names match case-insensitively, as the engine's do.
 */
public final class ServerVoices {
  /**
   * OpenAI's voice names and the Parler engine preset each stands for: a different trained speaker
   * each, of the gender the OpenAI voice is usually heard as ({@code alloy}, a neutral one, is the
   * engine's default {@code jon}).
   */
  public static final Map<String, String> OPENAI_ALIASES = openAiAliases();

  private final Map<String, VoiceInfo> presets; // lower-case name -> engine preset
  private final Map<String, String> aliases; // OpenAI name -> lower-case name of its preset

  private ServerVoices(Map<String, VoiceInfo> presets, Map<String, String> aliases) {
    this.presets = presets;
    this.aliases = aliases;
  }

  /**
   * The server's voices over an engine's.
   *
   * @param engineVoices {@code TtsEngine.voices()}, {@code default} first
   * @throws IllegalStateException the engine offers no {@code default} voice
   */
  public static ServerVoices of(List<VoiceInfo> engineVoices) {
    Map<String, VoiceInfo> presets = new LinkedHashMap<>();
    engineVoices.forEach(v -> presets.putIfAbsent(key(v.name()), v));
    if (!presets.containsKey(Voice.Preset.DEFAULT)) {
      throw new IllegalStateException(
          "the engine lists no \"" + Voice.Preset.DEFAULT + "\" voice: " + presets.keySet());
    }
    Map<String, String> aliases = new LinkedHashMap<>();
    OPENAI_ALIASES.forEach(
        (alias, preset) -> {
          // An engine preset of the same name wins; an engine without the target speaks the
          // alias with its default voice, so OpenAI clients still work.
          if (!presets.containsKey(alias)) {
            aliases.put(alias, presets.containsKey(preset) ? preset : Voice.Preset.DEFAULT);
          }
        });
    return new ServerVoices(presets, aliases);
  }

  /**
   * One usable voice name.
   *
   * @param info the name, and the description and seed it speaks with
   * @param aliasOf the engine preset an OpenAI name stands for; empty for the engine's own presets
   */
  public record Listed(VoiceInfo info, Optional<String> aliasOf) {}

  /** Every usable name: the engine's presets ({@code default} first), then OpenAI's names. */
  public List<Listed> voices() {
    List<Listed> out = new ArrayList<>();
    presets.values().forEach(v -> out.add(new Listed(v, Optional.empty())));
    aliases.forEach(
        (alias, preset) -> {
          VoiceInfo target = presets.get(preset);
          out.add(
              new Listed(
                  new VoiceInfo(alias, target.description(), target.seed()),
                  Optional.of(target.name())));
        });
    return out;
  }

  /** Every usable name, {@code default} first. */
  public List<String> names() {
    return voices().stream().map(l -> l.info().name()).toList();
  }

  /**
   * What to synthesise with for a named voice.
   *
   * @param name the voice name; null or blank means the default
   * @param instructions a description replacing the preset's (OpenAI {@code instructions}), or null
   * @param speed OpenAI {@code speed}; Parler has no time-stretch, so it becomes a pace phrase
   * @param field the request field naming the voice, for errors
   * @throws InvalidRequestException unknown name; the message lists the valid ones
   */
  public ResolvedVoice resolve(String name, String instructions, double speed, String field) {
    String wanted = name == null || name.isBlank() ? Voice.Preset.DEFAULT : name.trim();
    String key = key(wanted);
    VoiceInfo preset = presets.get(aliases.getOrDefault(key, key));
    if (preset == null) {
      throw new InvalidRequestException(
          field, "unknown voice '" + wanted + "'; available: " + String.join(", ", names()));
    }
    String pace = PacePhrase.forSpeed(speed);
    boolean custom = instructions != null && !instructions.isBlank();
    if (!custom && pace.isEmpty()) {
      return new ResolvedVoice(Voice.preset(preset.name()), preset.seed());
    }
    String description = custom ? instructions.trim() : preset.description();
    return new ResolvedVoice(Voice.described(description + pace), preset.seed());
  }

  /**
   * A voice ready for a request.
   *
   * @param voice what the engine gets: the preset by name, or its description reworded by {@code
   *     instructions} or {@code speed}
   * @param seed the preset's seed, used unless the request sets its own, so a reworded preset keeps
   *     the preset's seed
   */
  public record ResolvedVoice(Voice voice, OptionalLong seed) {}

  private static String key(String name) {
    return name.toLowerCase(Locale.ROOT);
  }

  private static Map<String, String> openAiAliases() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("alloy", "jon");
    m.put("ash", "gary");
    m.put("ballad", "jerry");
    m.put("coral", "lea");
    m.put("echo", "mike");
    m.put("fable", "will");
    m.put("onyx", "rick");
    m.put("nova", "jenna");
    m.put("sage", "eileen");
    m.put("shimmer", "karen");
    m.put("verse", "david");
    m.put("marin", "rose");
    m.put("cedar", "james");
    return Collections.unmodifiableMap(m);
  }
}
