package dev.parlance.tts.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * A checkpoint split over several safetensors files, as described by {@code
 * model.safetensors.index.json} ({@code {"weight_map": {tensor: shard_file}}}). Every shard is
 * opened and validated up front, and the index must agree with the shards' own headers.
 */
public final class ShardedSafetensors implements TensorSource {

  private final Map<String, SafetensorsFile> byTensor;
  private final Map<String, SafetensorsFile> shards;

  private ShardedSafetensors(
      Map<String, SafetensorsFile> byTensor, Map<String, SafetensorsFile> shards) {
    this.byTensor = byTensor;
    this.shards = shards;
  }

  /** Opens every shard named by an index file. */
  public static ShardedSafetensors open(Path indexFile) {
    JsonObject weightMap;
    try {
      JsonElement root = JsonParser.parseString(Files.readString(indexFile));
      weightMap = root.getAsJsonObject().getAsJsonObject("weight_map");
      if (weightMap == null) {
        throw new CheckpointException(indexFile + " has no \"weight_map\" object");
      }
    } catch (IOException e) {
      throw new CheckpointException("cannot read " + indexFile + ": " + e, e);
    } catch (JsonParseException | IllegalStateException e) {
      throw new CheckpointException(indexFile + " is not a valid safetensors index: " + e, e);
    }
    Path dir = indexFile.toAbsolutePath().getParent();
    Map<String, SafetensorsFile> shards = new LinkedHashMap<>();
    Map<String, SafetensorsFile> byTensor = new LinkedHashMap<>();
    try {
      for (Map.Entry<String, JsonElement> e : weightMap.entrySet()) {
        String shardName = e.getValue().getAsString();
        Path shardPath = dir.resolve(shardName).normalize();
        if (!shardPath.startsWith(dir)) {
          throw new CheckpointException(
              indexFile + " names shard '" + shardName + "' outside the checkpoint directory");
        }
        if (!Files.isRegularFile(shardPath)) {
          throw new CheckpointException(
              indexFile + " names shard '" + shardName + "' which does not exist");
        }
        SafetensorsFile shard =
            shards.computeIfAbsent(shardName, n -> SafetensorsFile.open(shardPath));
        if (!shard.names().contains(e.getKey())) {
          throw new CheckpointException(
              indexFile
                  + " places tensor '"
                  + e.getKey()
                  + "' in "
                  + shardName
                  + ", which lacks it");
        }
        byTensor.put(e.getKey(), shard);
      }
    } catch (RuntimeException e) {
      shards.values().forEach(SafetensorsFile::close);
      throw e;
    }
    return new ShardedSafetensors(
        Collections.unmodifiableMap(byTensor), Collections.unmodifiableMap(shards));
  }

  /** The shard files, by file name. */
  public Map<String, SafetensorsFile> shards() {
    return shards;
  }

  @Override
  public Set<String> names() {
    return byTensor.keySet();
  }

  private SafetensorsFile shardOf(String name) {
    SafetensorsFile shard = byTensor.get(name);
    if (shard == null) {
      throw new CheckpointException("tensor '" + name + "' is not in the sharded checkpoint");
    }
    return shard;
  }

  @Override
  public TensorInfo info(String name) {
    return shardOf(name).info(name);
  }

  @Override
  public NDArray load(String name, NDManager manager) {
    return shardOf(name).load(name, manager);
  }

  @Override
  public float[] readFloats(String name) {
    return shardOf(name).readFloats(name);
  }

  @Override
  public void close() {
    shards.values().forEach(SafetensorsFile::close);
  }
}
