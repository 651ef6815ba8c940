package dev.parlance.tts.core.hub;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.regex.Pattern;

/**
 * Which files of a repository are fetched: nothing else is downloaded (no training states, no
 * pytorch_model.bin, no samples).
 *
 * @param required files that must exist, or resolution fails with {@link
 *     HubException.Kind#MISSING_FILE}; the first is requested first and pins the commit
 * @param optional files fetched when the repository has them (a 404 means "absent")
 * @param weights whether the safetensors weights are needed: {@code model.safetensors}, else {@code
 *     model.safetensors.index.json} and every shard it names
 */
public record CheckpointFiles(List<String> required, List<String> optional, boolean weights) {

  public static final String CONFIG = "config.json";
  public static final String WEIGHTS = "model.safetensors";
  public static final String WEIGHTS_INDEX = "model.safetensors.index.json";

  private static final List<String> TOKENIZER_EXTRAS =
      List.of(
          "tokenizer_config.json",
          "special_tokens_map.json",
          "spiece.model", // T5 SentencePiece (mini-v1, large-v1)
          "tokenizer.model"); // Llama-style prompt tokenizer (mini-v1.1)

  /** A Parler-TTS checkpoint: configs, weights, tokenizer files, feature-extractor config. */
  public static final CheckpointFiles PARLER_TTS =
      new CheckpointFiles(
          List.of(CONFIG, "tokenizer.json"),
          concat(List.of("generation_config.json", "preprocessor_config.json"), TOKENIZER_EXTRAS),
          true);

  /**
   * Only a tokenizer, e.g. mini-v1.1's description tokenizer, which lives in the repository named
   * by {@code config.text_encoder._name_or_path} ({@code google/flan-t5-large}).
   */
  public static final CheckpointFiles TOKENIZER =
      new CheckpointFiles(List.of("tokenizer.json"), TOKENIZER_EXTRAS, false);

  // Shard names come from a downloaded file: never let one climb out of the snapshot.
  private static final Pattern SAFE_NAME =
      Pattern.compile("[A-Za-z0-9_][A-Za-z0-9._-]*(/[A-Za-z0-9_][A-Za-z0-9._-]*)*");

  public CheckpointFiles {
    if (required.isEmpty()) {
      throw new IllegalArgumentException("at least one required file");
    }
    required = List.copyOf(required);
    optional = List.copyOf(optional);
  }

  /** The files (by path relative to {@code dir}) this checkpoint needs and {@code dir} lacks. */
  public List<String> missingIn(Path dir) {
    List<String> missing = new ArrayList<>();
    for (String f : required) {
      if (!Files.isRegularFile(dir.resolve(f))) {
        missing.add(f);
      }
    }
    if (weights && !Files.isRegularFile(dir.resolve(WEIGHTS))) {
      Path index = dir.resolve(WEIGHTS_INDEX);
      if (!Files.isRegularFile(index)) {
        missing.add(WEIGHTS + " (or " + WEIGHTS_INDEX + " and its shards)");
      } else {
        for (String shard : shards(index)) {
          if (!Files.isRegularFile(dir.resolve(shard))) {
            missing.add(shard);
          }
        }
      }
    }
    return missing;
  }

  /**
   * The distinct shard files named by the {@code weight_map} of a {@code
   * model.safetensors.index.json}, sorted.
   *
   * @throws HubException ({@link HubException.Kind#MISSING_FILE}) when the index is unreadable
   */
  public static List<String> shards(Path index) {
    try (Reader r = Files.newBufferedReader(index, StandardCharsets.UTF_8)) {
      JsonElement weightMap = JsonParser.parseReader(r).getAsJsonObject().get("weight_map");
      if (weightMap == null || !weightMap.isJsonObject()) {
        throw brokenIndex(index, "it has no weight_map object", null);
      }
      TreeSet<String> shards = new TreeSet<>();
      for (Map.Entry<String, JsonElement> e : ((JsonObject) weightMap).entrySet()) {
        String shard = e.getValue().getAsString();
        if (!SAFE_NAME.matcher(shard).matches() || shard.contains("..")) {
          throw brokenIndex(index, "it names an invalid shard file '" + shard + "'", null);
        }
        shards.add(shard);
      }
      if (shards.isEmpty()) {
        throw brokenIndex(index, "its weight_map is empty", null);
      }
      return List.copyOf(shards);
    } catch (IOException | JsonParseException | IllegalStateException | ClassCastException e) {
      throw brokenIndex(index, e.toString(), e);
    }
  }

  private static HubException brokenIndex(Path index, String why, Throwable cause) {
    return new HubException(
        HubException.Kind.MISSING_FILE,
        "cannot read the shard list from " + index + ": " + why + "; the checkpoint is broken",
        cause);
  }

  private static List<String> concat(List<String> a, List<String> b) {
    List<String> all = new ArrayList<>(a);
    all.addAll(b);
    return all;
  }
}
