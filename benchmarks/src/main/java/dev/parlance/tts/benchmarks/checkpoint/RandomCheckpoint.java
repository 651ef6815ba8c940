package dev.parlance.tts.benchmarks.checkpoint;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import dev.parlance.tts.core.checkpoint.SafetensorsWriter;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.checkpoint.TensorType;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;

/**
 * Writes a full-size random-weight Parler-TTS checkpoint in the real on-disk layout: {@code
 * config.json}, {@code generation_config.json}, {@code model.safetensors} (or HF-style 5 GB shards
 * plus {@code model.safetensors.index.json} when larger, as large-v1 is published), and tokenizer
 * files copied from another checkpoint directory. Benchmarks only need the shapes, so any T5-style
 * tokenizer works; ids it produces must stay below the model's text vocabulary.
 *
 * <p>Tensor data streams through {@link SafetensorsWriter} in 1 MiB blocks; each tensor draws from
 * its own {@link SplittableRandom} seeded by (seed, tensor name), so the bytes depend only on the
 * shape and the seed.
 */
public final class RandomCheckpoint {

  /** HF {@code save_pretrained}'s default {@code max_shard_size} ("5GB"). */
  public static final long DEFAULT_MAX_SHARD_BYTES = 5_000_000_000L;

  /** Written last: a directory with this file is complete, for the recorded shape and seed. */
  public static final String STAMP_FILE = "random-checkpoint.json";

  /** Tokenizer files copied when present in the source directory. */
  static final List<String> TOKENIZER_FILES =
      List.of(
          "tokenizer.json",
          "spiece.model",
          "tokenizer_config.json",
          "special_tokens_map.json",
          "preprocessor_config.json");

  private static final int BLOCK_FLOATS = 1 << 18; // 1 MiB of F32
  private static final Gson GSON = new GsonBuilder().setPrettyPrinting().create();

  private RandomCheckpoint() {}

  /**
   * Writes the checkpoint into {@code dir} (created if needed).
   *
   * @param tokenizerDir a checkpoint directory to copy tokenizer files from; it must hold {@code
   *     tokenizer.json}
   * @param maxShardBytes a file holds at most this many tensor bytes (one tensor never splits)
   */
  public static void write(
      ParlerShape shape, long seed, Path dir, Path tokenizerDir, long maxShardBytes)
      throws IOException {
    if (!Files.isRegularFile(tokenizerDir.resolve("tokenizer.json"))) {
      throw new IllegalArgumentException(
          "tokenizer: no tokenizer.json in " + tokenizerDir + " to copy");
    }
    Files.createDirectories(dir);
    Files.deleteIfExists(dir.resolve(STAMP_FILE));
    writeJson(dir.resolve("config.json"), ParlerConfigJson.config(shape));
    writeJson(dir.resolve("generation_config.json"), ParlerConfigJson.generationConfig(shape));
    for (String f : TOKENIZER_FILES) {
      Path src = tokenizerDir.resolve(f);
      if (Files.isRegularFile(src)) {
        Files.copy(src, dir.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    writeWeights(shape, seed, dir, maxShardBytes);
    writeJson(dir.resolve(STAMP_FILE), stamp(shape, seed));
  }

  /**
   * Returns {@code dir} after making sure it holds the checkpoint for {@code shape} and {@code
   * seed}: a complete earlier one is reused, anything else is (re)generated.
   */
  public static Path ensure(ParlerShape shape, long seed, Path dir, Path tokenizerDir)
      throws IOException {
    if (isComplete(shape, seed, dir)) {
      return dir;
    }
    write(shape, seed, dir, tokenizerDir, DEFAULT_MAX_SHARD_BYTES);
    return dir;
  }

  /** Whether {@code dir} holds a completed checkpoint for this shape and seed. */
  public static boolean isComplete(ParlerShape shape, long seed, Path dir) throws IOException {
    Path stamp = dir.resolve(STAMP_FILE);
    return Files.isRegularFile(stamp)
        && Files.readString(stamp, StandardCharsets.UTF_8).equals(GSON.toJson(stamp(shape, seed)));
  }

  private static JsonObject stamp(ParlerShape shape, long seed) {
    JsonObject o = new JsonObject();
    o.addProperty("shape", shape.toString());
    o.addProperty("seed", seed);
    o.addProperty("format", 1); // bump when the layout or the value rules change
    o.addProperty(
        "note", "random weights for benchmarks: real shapes and names, meaningless audio");
    return o;
  }

  private static void writeWeights(ParlerShape shape, long seed, Path dir, long maxShardBytes)
      throws IOException {
    List<List<ParlerLayout.Tensor>> shards = new ArrayList<>();
    shards.add(new ArrayList<>());
    long inShard = 0;
    for (ParlerLayout.Tensor t : ParlerLayout.tensors(shape)) {
      long bytes = t.elements() * 4;
      if (inShard > 0 && inShard + bytes > maxShardBytes) {
        shards.add(new ArrayList<>());
        inShard = 0;
      }
      shards.get(shards.size() - 1).add(t);
      inShard += bytes;
    }
    Files.deleteIfExists(dir.resolve(TensorSource.INDEX_FILE));
    if (shards.size() == 1) {
      writeShard(shards.get(0), seed, dir.resolve(TensorSource.SINGLE_FILE));
      return;
    }
    TreeMap<String, String> weightMap = new TreeMap<>();
    long total = 0;
    for (int i = 0; i < shards.size(); i++) {
      String file = String.format("model-%05d-of-%05d.safetensors", i + 1, shards.size());
      writeShard(shards.get(i), seed, dir.resolve(file));
      for (ParlerLayout.Tensor t : shards.get(i)) {
        weightMap.put(t.name(), file);
        total += t.elements() * 4;
      }
    }
    Files.deleteIfExists(dir.resolve(TensorSource.SINGLE_FILE));
    JsonObject index = new JsonObject();
    JsonObject metadata = new JsonObject();
    metadata.addProperty("total_size", total);
    index.add("metadata", metadata);
    index.add("weight_map", GSON.toJsonTree(weightMap));
    writeJson(dir.resolve(TensorSource.INDEX_FILE), index);
  }

  private static void writeShard(List<ParlerLayout.Tensor> tensors, long seed, Path file)
      throws IOException {
    SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
    for (ParlerLayout.Tensor t : tensors) {
      writer.add(t.name(), TensorType.F32, t.shape(), out -> stream(t, seed, out));
    }
    writer.write(file);
  }

  /** Writes one tensor's values as little-endian F32, a block of whole rows at a time. */
  private static void stream(ParlerLayout.Tensor t, long seed, OutputStream out)
      throws IOException {
    long[] shape = t.shape();
    int rowLength = shape.length == 0 ? 1 : Math.toIntExact(shape[shape.length - 1]);
    int rowsPerBlock = Math.max(1, BLOCK_FLOATS / rowLength);
    float[] values = new float[rowsPerBlock * rowLength];
    byte[] bytes = new byte[values.length * 4];
    ByteBuffer view = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    SplittableRandom rng = new SplittableRandom(seed ^ nameHash(t.name()));
    long total = t.elements();
    for (long first = 0; first < total; first += values.length) {
      int count = (int) Math.min(values.length, total - first);
      t.init().fill(first, values, count, rowLength, rng);
      view.clear();
      view.asFloatBuffer().put(values, 0, count);
      out.write(bytes, 0, count * 4);
    }
  }

  /** 64-bit FNV-1a of the name: the per-tensor stream does not depend on the write order. */
  private static long nameHash(String name) {
    long h = 0xcbf29ce484222325L;
    for (byte b : name.getBytes(StandardCharsets.UTF_8)) {
      h = (h ^ (b & 0xff)) * 0x100000001b3L;
    }
    return h;
  }

  private static void writeJson(Path file, JsonObject json) throws IOException {
    Files.writeString(file, GSON.toJson(json), StandardCharsets.UTF_8);
  }
}
