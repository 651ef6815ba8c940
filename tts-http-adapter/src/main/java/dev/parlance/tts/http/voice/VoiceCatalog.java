package dev.parlance.tts.http.voice;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.Voice;
import dev.parlance.tts.spi.VoiceInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The named voices the server offers: the built-in presets (OpenAI's voice names included, from
 * {@code presets.json}), then the engine's own presets, then an operator's voices file, later ones
 * replacing earlier ones of the same name. A preset is a Parler description plus a fixed seed, so a
 * name always gives the same voice.
 */
public final class VoiceCatalog {
  private static final String BUILT_IN = "presets.json";

  private final Map<String, Entry> voices;

  private record Entry(VoiceInfo info, boolean engineNative) {}

  private VoiceCatalog(Map<String, Entry> voices) {
    this.voices = voices;
  }

  /**
   * Builds the catalog.
   *
   * @param engineVoices what the engine offers
   * @param voicesFile an operator's presets, same JSON shape as the built-in file
   */
  public static VoiceCatalog load(
      List<VoiceInfo> engineVoices, Optional<Path> voicesFile, ObjectMapper json) {
    Map<String, Entry> all = new LinkedHashMap<>();
    try (InputStream in = VoiceCatalog.class.getResourceAsStream(BUILT_IN)) {
      if (in == null) {
        throw new IllegalStateException("built-in voice presets missing from the class path");
      }
      read(json.readTree(in)).forEach(v -> all.put(v.name(), new Entry(v, false)));
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read built-in voice presets", e);
    }
    for (VoiceInfo v : engineVoices) {
      // Every named voice must sound the same each time: an engine preset without a seed keeps
      // the built-in one of its name, or gets one derived from its name.
      OptionalLong seed = v.seed();
      if (seed.isEmpty()) {
        Entry builtIn = all.get(v.name());
        seed =
            builtIn != null && builtIn.info().seed().isPresent()
                ? builtIn.info().seed()
                : OptionalLong.of(v.name().hashCode() & 0x7fffffffL);
      }
      all.put(v.name(), new Entry(new VoiceInfo(v.name(), v.description(), seed), true));
    }
    if (voicesFile.isPresent()) {
      try (InputStream in = Files.newInputStream(voicesFile.get())) {
        read(json.readTree(in)).forEach(v -> all.put(v.name(), new Entry(v, false)));
      } catch (IOException | RuntimeException e) {
        throw new IllegalArgumentException(
            "TTS_VOICES_FILE "
                + voicesFile.get()
                + " is not a valid voices file: "
                + e.getMessage(),
            e);
      }
    }
    // The default first, then by name.
    Map<String, Entry> ordered = new LinkedHashMap<>();
    Optional.ofNullable(all.get(Voice.Preset.DEFAULT))
        .ifPresent(e -> ordered.put(e.info().name(), e));
    all.keySet().stream().sorted().forEach(name -> ordered.putIfAbsent(name, all.get(name)));
    if (!ordered.containsKey(Voice.Preset.DEFAULT)) {
      throw new IllegalStateException("no 'default' voice preset");
    }
    return new VoiceCatalog(ordered);
  }

  private static List<VoiceInfo> read(JsonNode root) {
    JsonNode list = root.path("voices");
    if (!list.isArray()) {
      throw new IllegalArgumentException("expected {\"voices\": [{name, description, seed}...]}");
    }
    List<VoiceInfo> out = new ArrayList<>();
    for (JsonNode v : list) {
      String name = v.path("name").asText("");
      String description = v.path("description").asText("");
      if (name.isBlank() || description.isBlank()) {
        throw new IllegalArgumentException("every voice needs a name and a description");
      }
      JsonNode seed = v.get("seed");
      out.add(
          new VoiceInfo(
              name,
              description,
              seed == null || seed.isNull()
                  ? OptionalLong.empty()
                  : OptionalLong.of(seed.asLong())));
    }
    return out;
  }

  /** Every voice, the default first. */
  public List<VoiceInfo> voices() {
    return voices.values().stream().map(Entry::info).toList();
  }

  /** The voice names, the default first. */
  public List<String> names() {
    return List.copyOf(voices.keySet());
  }

  /**
   * What to synthesise with for a named voice.
   *
   * @param name the voice name; null means the default
   * @param instructions a description replacing the preset's (OpenAI {@code instructions}), or null
   * @param speed OpenAI {@code speed}; Parler has no time-stretch, so it becomes a pace phrase
   * @param field the request field naming the voice, for errors
   * @throws InvalidRequestException unknown name; the message lists the valid ones
   */
  public ResolvedVoice resolve(String name, String instructions, double speed, String field) {
    String wanted = name == null || name.isBlank() ? Voice.Preset.DEFAULT : name.trim();
    Entry entry = voices.get(wanted);
    if (entry == null) {
      throw new InvalidRequestException(
          field, "unknown voice '" + wanted + "'; available: " + String.join(", ", names()));
    }
    String pace = PacePhrase.forSpeed(speed);
    boolean custom = instructions != null && !instructions.isBlank();
    if (entry.engineNative() && !custom && pace.isEmpty()) {
      return new ResolvedVoice(Voice.preset(wanted), entry.info().seed());
    }
    String description = custom ? instructions.trim() : entry.info().description();
    return new ResolvedVoice(Voice.described(description + pace), entry.info().seed());
  }

  /**
   * A voice ready for a request.
   *
   * @param voice what the engine gets
   * @param seed the preset's seed, used unless the request sets its own
   */
  public record ResolvedVoice(Voice voice, OptionalLong seed) {}
}
