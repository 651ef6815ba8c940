package dev.parlance.tts.core.checkpoint;

import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Where one tensor lives in a safetensors file.
 *
 * @param name the tensor's key
 * @param type element type as stored
 * @param shape dimensions, row-major
 * @param begin first byte, relative to the start of the data section
 * @param end one past the last byte, relative to the start of the data section
 */
public record TensorInfo(String name, TensorType type, long[] shape, long begin, long end) {

  /** Number of elements. */
  public long elementCount() {
    long n = 1;
    for (long d : shape) {
      n = Math.multiplyExact(n, d);
    }
    return n;
  }

  /** Stored size in bytes. */
  public long byteSize() {
    return end - begin;
  }

  /** The shape as DJL's type. */
  public Shape djlShape() {
    return new Shape(shape);
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t
        && name.equals(t.name)
        && type == t.type
        && Arrays.equals(shape, t.shape)
        && begin == t.begin
        && end == t.end;
  }

  @Override
  public int hashCode() {
    return 31 * (31 * name.hashCode() + Arrays.hashCode(shape)) + Long.hashCode(begin);
  }

  @Override
  public String toString() {
    return name + " " + type + Arrays.toString(shape);
  }
}
