package dev.parlance.tts.core.voice;

import com.google.gson.Gson;
import com.google.gson.JsonParseException;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.Voice;
import dev.parlance.tts.spi.VoiceInfo;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;

/**
 * The named voices an engine offers, with one default, loaded from JSON:
 *
 * <pre>{@code
 * {
 *   "default": "jon",
 *   "voices": [
 *     {"name": "jon", "speaker": "Jon", "seed": 1001,
 *      "description": "Jon's voice is monotone yet slightly fast in delivery, ..."}
 *   ]
 * }
 * }</pre>
 *
 * {@code default} names the preset that {@code Voice.defaultVoice()} resolves to; {@code seed} and
 * {@code speaker} are optional. Names are matched case-insensitively.
 */
public final class VoiceCatalog {
  private static final String BUILT_IN = "voices.json";

  private final VoicePreset defaultPreset;
  private final Map<String, VoicePreset> byKey; // lower-case name -> preset
  private final List<VoicePreset> order; // file order

  /**
   * @param presets the presets, in the order to list them
   * @param defaultName which of them is the default
   * @throws IllegalArgumentException duplicate names, a preset named {@code default}, or an unknown
   *     default
   */
  public VoiceCatalog(List<VoicePreset> presets, String defaultName) {
    Map<String, VoicePreset> map = new LinkedHashMap<>();
    for (VoicePreset p : presets) {
      if (p.key().equals(Voice.Preset.DEFAULT)) {
        throw new IllegalArgumentException(
            "no preset may be called \"default\"; name the default preset with \"default\"");
      }
      if (map.putIfAbsent(p.key(), p) != null) {
        throw new IllegalArgumentException("duplicate voice name \"" + p.name() + "\"");
      }
    }
    if (defaultName == null || !map.containsKey(defaultName.toLowerCase(Locale.ROOT))) {
      throw new IllegalArgumentException(
          "default must name one of the voices " + map.keySet() + ", got " + defaultName);
    }
    this.byKey = Map.copyOf(map);
    this.defaultPreset = map.get(defaultName.toLowerCase(Locale.ROOT));
    this.order = List.copyOf(map.values());
  }

  /** The presets shipped in the library. */
  public static VoiceCatalog builtIn() {
    try (InputStream in = VoiceCatalog.class.getResourceAsStream(BUILT_IN)) {
      if (in == null) {
        throw new IllegalStateException("built-in " + BUILT_IN + " is missing from the jar");
      }
      return parse(new InputStreamReader(in, StandardCharsets.UTF_8), "built-in " + BUILT_IN);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Presets from a JSON file.
   *
   * @throws IllegalArgumentException the file is not a valid voices file; the message names it
   * @throws UncheckedIOException the file cannot be read
   */
  public static VoiceCatalog load(Path file) {
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return parse(r, file.toString());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read voices file " + file, e);
    }
  }

  /** The voices file's presets if one is given, else the built-in ones. */
  public static VoiceCatalog loadOrBuiltIn(Optional<Path> file) {
    return file.map(VoiceCatalog::load).orElseGet(VoiceCatalog::builtIn);
  }

  /** Presets from JSON text; {@code source} names it in errors. */
  public static VoiceCatalog parse(Reader json, String source) {
    FileModel model;
    try {
      model = new Gson().fromJson(json, FileModel.class);
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(source + ": not valid JSON: " + e.getMessage(), e);
    }
    if (model == null || model.voices == null || model.voices.isEmpty()) {
      throw new IllegalArgumentException(source + ": \"voices\" must list at least one voice");
    }
    List<VoicePreset> presets = new ArrayList<>();
    try {
      for (PresetModel p : model.voices) {
        if (p == null) {
          throw new IllegalArgumentException("a voice entry is null");
        }
        presets.add(
            new VoicePreset(
                p.name,
                p.description,
                p.seed == null ? OptionalLong.empty() : OptionalLong.of(p.seed),
                Optional.ofNullable(p.speaker)));
      }
      return new VoiceCatalog(presets, model.defaultVoice);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
  }

  /**
   * What {@code voice} comes down to under {@code sampling}.
   *
   * @throws InvalidRequestException ({@code voice}) an unknown preset name; the message lists the
   *     valid ones
   */
  public ResolvedVoice resolve(Voice voice, SamplingOptions sampling) {
    if (voice instanceof Voice.Described d) {
      return new ResolvedVoice(Optional.empty(), d.description(), sampling);
    }
    VoicePreset preset = preset(((Voice.Preset) voice).name());
    SamplingOptions effective =
        sampling.seed().isEmpty() && preset.seed().isPresent()
            ? sampling.withSeed(preset.seed().getAsLong())
            : sampling;
    return new ResolvedVoice(Optional.of(preset.name()), preset.description(), effective);
  }

  /**
   * The preset called {@code name} ({@code default} is the default preset).
   *
   * @throws InvalidRequestException ({@code voice}) no such preset
   */
  public VoicePreset preset(String name) {
    String key = name.toLowerCase(Locale.ROOT);
    if (key.equals(Voice.Preset.DEFAULT)) {
      return defaultPreset;
    }
    VoicePreset p = byKey.get(key);
    if (p == null) {
      throw new InvalidRequestException(
          "voice", "unknown voice \"" + name + "\"; valid voices: " + String.join(", ", names()));
    }
    return p;
  }

  /** The preset the default voice resolves to. */
  public VoicePreset defaultPreset() {
    return defaultPreset;
  }

  /** Every name a request may use, {@code default} first. */
  public List<String> names() {
    List<String> names = new ArrayList<>();
    names.add(Voice.Preset.DEFAULT);
    order.forEach(p -> names.add(p.name()));
    return names;
  }

  /** The voices for {@code TtsEngine.voices()}: {@code default} first, then every preset. */
  public List<VoiceInfo> infos() {
    List<VoiceInfo> infos = new ArrayList<>();
    infos.add(defaultPreset.renamed(Voice.Preset.DEFAULT).info());
    order.forEach(p -> infos.add(p.info()));
    return infos;
  }

  /** The presets in file order. */
  public List<VoicePreset> presets() {
    return order;
  }

  // Gson binding of the file; fields are filled reflectively.
  @SuppressWarnings("unused")
  private static final class FileModel {
    @com.google.gson.annotations.SerializedName("default")
    String defaultVoice;

    List<PresetModel> voices;
  }

  @SuppressWarnings("unused")
  private static final class PresetModel {
    String name;
    String description;
    Long seed;
    String speaker;
  }
}
