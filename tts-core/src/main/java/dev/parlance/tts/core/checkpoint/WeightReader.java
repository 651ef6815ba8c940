package dev.parlance.tts.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.parlance.tts.core.kernel.Projection;
import dev.parlance.tts.core.kernel.WeightFormat;
import dev.parlance.tts.core.kernel.WeightPacker;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import java.util.Set;

/**
 * Reads model weights with checks: every tensor must exist, hold floats and have the shape the
 * config implies. Tensors come back as float32 on {@code manager}'s device so load-time folding
 * (fusing, scaling) happens in full precision; {@link #toCompute} then converts once, and {@link
 * #projection} turns a weight matrix into the configured {@link WeightFormat}.
 */
public final class WeightReader {
  private static final Set<TensorType> FLOAT_TYPES =
      Set.of(TensorType.F32, TensorType.F16, TensorType.BF16, TensorType.F64);

  private final TensorSource source;
  private final NDManager manager;
  private final DataType computeType;
  private final WeightPacker packer;

  /**
   * @param weights the format of weight matrices; vectors and tables get its activation dtype
   */
  public WeightReader(TensorSource source, NDManager manager, WeightFormat weights) {
    this.source = source;
    this.manager = manager;
    this.packer = new WeightPacker(manager, weights);
    this.computeType = weights.activations();
  }

  public TensorSource source() {
    return source;
  }

  public NDManager manager() {
    return manager;
  }

  /** The dtype weights are converted to. */
  public DataType computeType() {
    return computeType;
  }

  /**
   * Fails with every missing name at once.
   *
   * @param what the component, for the message (e.g. "decoder")
   */
  public void requireAll(String what, Collection<String> names) {
    List<String> missing = new ArrayList<>();
    for (String n : names) {
      if (!source.contains(n)) {
        missing.add(n);
      }
    }
    if (!missing.isEmpty()) {
      throw new CheckpointException(
          "checkpoint is missing "
              + missing.size()
              + " "
              + what
              + " tensor(s): "
              + String.join(", ", missing));
    }
  }

  /** A float tensor of exactly this shape, as float32. */
  public NDArray float32(String name, long... shape) {
    check(name, shape);
    NDArray a = source.load(name, manager);
    if (a.getDataType() != DataType.FLOAT32) {
      NDArray f = a.toType(DataType.FLOAT32, false);
      a.close();
      a = f;
    }
    return a;
  }

  /** A float tensor of exactly this shape, converted to the compute dtype. */
  public NDArray compute(String name, long... shape) {
    return toCompute(float32(name, shape));
  }

  /** Converts a float32 array to the compute dtype, closing the input when a copy is made. */
  public NDArray toCompute(NDArray a) {
    if (a.getDataType() == computeType) {
      return a;
    }
    NDArray c = a.toType(computeType, false);
    a.close();
    return c;
  }

  /**
   * A weight matrix (out, in) in float32, as a projection in the configured format. Closes {@code
   * weight} when it is converted or packed.
   */
  public Projection projection(NDArray weight) {
    return packer.pack(weight);
  }

  /** Checks a tensor's presence, dtype and shape without reading it. */
  public TensorInfo check(String name, long... shape) {
    if (!source.contains(name)) {
      throw new CheckpointException("checkpoint is missing tensor: " + name);
    }
    TensorInfo info = source.info(name);
    if (!FLOAT_TYPES.contains(info.type())) {
      throw new CheckpointException(
          "tensor " + name + " has dtype " + info.type() + ", expected a float type");
    }
    if (!Arrays.equals(info.shape(), shape)) {
      throw new CheckpointException(
          "tensor "
              + name
              + " has shape "
              + Arrays.toString(info.shape())
              + ", expected "
              + Arrays.toString(shape));
    }
    return info;
  }
}
