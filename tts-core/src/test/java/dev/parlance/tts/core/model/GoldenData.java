package dev.parlance.tts.core.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.parlance.tts.core.checkpoint.SafetensorsFile;

/** Typed reads from a fixture's golden.safetensors. */
final class GoldenData implements AutoCloseable {
  final SafetensorsFile file;
  private final NDManager manager;

  GoldenData(SafetensorsFile file, NDManager manager) {
    this.file = file;
    this.manager = manager;
  }

  boolean has(String name) {
    return file.contains(name);
  }

  long[] shape(String name) {
    return file.info(name).shape();
  }

  float[] floats(String name) {
    return file.readFloats(name);
  }

  NDArray array(String name) {
    return file.load(name, manager);
  }

  long[] longs(String name) {
    try (NDArray a = file.load(name, manager)) {
      return a.toLongArray();
    }
  }

  /** A 2-D int64 tensor as rows. */
  long[][] rows(String name) {
    long[] s = shape(name);
    long[] flat = longs(name);
    int r = (int) s[0];
    int c = (int) (flat.length / Math.max(1, r));
    long[][] out = new long[r][c];
    for (int i = 0; i < r; i++) {
      System.arraycopy(flat, i * c, out[i], 0, c);
    }
    return out;
  }

  @Override
  public void close() {
    file.close();
  }
}
