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
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;

/**
 * The named voices an engine offers, with one default: the built-in presets ({@code voices.json}),
 * with an operator's voices file on top if one is given. Both are one JSON shape:
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
 * {@code default} names the preset that {@code Voice.defaultVoice()} resolves to; a voices file may
 * leave it out to keep the built-in default. A voices file's preset replaces the built-in one of
 * the same name and adds the others after them. {@code seed} and {@code speaker} are optional.
 * Names are matched case-insensitively.
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
      Reader json = new InputStreamReader(in, StandardCharsets.UTF_8);
      return overlay(List.of(), null, json, "built-in " + BUILT_IN);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * The built-in presets with those of {@code voicesFile}, if given, on top.
   *
   * @throws IllegalArgumentException the file is not a valid voices file; the message names it
   * @throws UncheckedIOException the file cannot be read
   */
  public static VoiceCatalog load(Optional<Path> voicesFile) {
    VoiceCatalog builtIn = builtIn();
    if (voicesFile.isEmpty()) {
      return builtIn;
    }
    Path file = voicesFile.get();
    try (Reader r = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      return builtIn.overlaid(r, "voices file " + file);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read voices file " + file, e);
    }
  }

  /**
   * This catalog with the presets of a voices file on top: same-named ones replaced in place, new
   * ones added at the end, the default changed if the file names one.
   *
   * @param json the voices file's text
   * @param source names the file in errors
   * @throws IllegalArgumentException the text is not a valid voices file; the message starts with
   *     {@code source}
   */
  public VoiceCatalog overlaid(Reader json, String source) {
    return overlay(order, defaultPreset.name(), json, source);
  }

  private static VoiceCatalog overlay(
      List<VoicePreset> base, String baseDefault, Reader json, String source) {
    FileModel model;
    try {
      model = new Gson().fromJson(json, FileModel.class);
    } catch (JsonParseException e) {
      throw new IllegalArgumentException(source + ": not valid JSON: " + e.getMessage(), e);
    }
    boolean noVoices = model == null || model.voices == null || model.voices.isEmpty();
    if (noVoices && (model == null || model.defaultVoice == null)) {
      throw new IllegalArgumentException(
          source + ": \"voices\" must list at least one voice, or \"default\" name one");
    }
    try {
      Map<String, VoicePreset> merged = new LinkedHashMap<>();
      base.forEach(p -> merged.put(p.key(), p));
      Set<String> inFile = new HashSet<>();
      for (PresetModel p : noVoices ? List.<PresetModel>of() : model.voices) {
        if (p == null) {
          throw new IllegalArgumentException("a voice entry is null");
        }
        VoicePreset preset =
            new VoicePreset(
                p.name,
                p.description,
                p.seed == null ? OptionalLong.empty() : OptionalLong.of(p.seed),
                Optional.ofNullable(p.speaker));
        if (!inFile.add(preset.key())) {
          throw new IllegalArgumentException("duplicate voice name \"" + preset.name() + "\"");
        }
        merged.put(preset.key(), preset); // a replaced preset keeps its place
      }
      String defaultName = model.defaultVoice == null ? baseDefault : model.defaultVoice;
      return new VoiceCatalog(List.copyOf(merged.values()), defaultName);
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
