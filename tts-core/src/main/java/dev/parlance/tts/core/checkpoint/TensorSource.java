package dev.parlance.tts.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Set;

/**
 * Named tensors of a checkpoint, read lazily. Implemented by one safetensors file and by a sharded
 * set of them behind {@code model.safetensors.index.json}.
 */
public interface TensorSource extends AutoCloseable {

  /** File name of a single-file checkpoint. */
  String SINGLE_FILE = "model.safetensors";

  /** File name of a sharded checkpoint's index. */
  String INDEX_FILE = "model.safetensors.index.json";

  /**
   * Opens the weights of a checkpoint directory: the sharded index when present, else {@value
   * #SINGLE_FILE}. A path to a {@code .safetensors} file opens that file.
   */
  static TensorSource open(Path path) {
    if (Files.isRegularFile(path)) {
      return SafetensorsFile.open(path);
    }
    Path index = path.resolve(INDEX_FILE);
    if (Files.isRegularFile(index)) {
      return ShardedSafetensors.open(index);
    }
    Path single = path.resolve(SINGLE_FILE);
    if (Files.isRegularFile(single)) {
      return SafetensorsFile.open(single);
    }
    throw new CheckpointException(
        "no weights in " + path + ": expected " + SINGLE_FILE + " or " + INDEX_FILE);
  }

  /** Every tensor name. */
  Set<String> names();

  /** Whether a tensor with this name exists. */
  default boolean contains(String name) {
    return names().contains(name);
  }

  /**
   * The tensor's header entry.
   *
   * @throws CheckpointException no such tensor
   */
  TensorInfo info(String name);

  /**
   * Reads a tensor into a new array owned by {@code manager}, independent of the file (it stays
   * valid after {@link #close()}). BF16 is widened to F32 on the host, because DJL's JNI cannot
   * hold bf16 arrays (it aborts the process on one; packed bf16 weights are made by {@code
   * kernel.PackedKernels} instead); every other type keeps its stored type.
   *
   * @throws CheckpointException no such tensor, or the file cannot be read
   */
  NDArray load(String name, NDManager manager);

  /** Reads a tensor as float32 host values, whatever its stored float type. */
  float[] readFloats(String name);

  @Override
  void close();
}
