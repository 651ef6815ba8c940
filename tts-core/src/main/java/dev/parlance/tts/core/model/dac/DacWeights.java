package dev.parlance.tts.core.model.dac;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.parlance.tts.core.checkpoint.CheckpointException;
import dev.parlance.tts.core.checkpoint.TensorSource;
import java.util.Arrays;

/**
 * Reads DAC tensors of one layout: checks shapes, folds weight norm on the host in fp32 and uploads
 * to the target manager in the compute dtype.
 */
final class DacWeights {
  private final TensorSource source;
  private final DacLayout layout;
  private final NDManager manager;
  private final DataType dtype;

  DacWeights(TensorSource source, DacLayout layout, NDManager manager, DataType dtype) {
    this.source = source;
    this.layout = layout;
    this.manager = manager;
    this.dtype = dtype;
  }

  /** Shape of a stored tensor. */
  long[] shape(String key) {
    return source.info(key).shape();
  }

  /** Shape of a conv module's weight (v when weight-normed). */
  long[] convShape(String module) {
    return shape(layout.weightKey(module));
  }

  /**
   * A tensor's fp32 values after checking its shape; {@code -1} in {@code expected} matches any
   * size.
   */
  float[] floats(String key, long... expected) {
    long[] actual = shape(key);
    boolean ok = actual.length == expected.length;
    for (int i = 0; ok && i < actual.length; i++) {
      ok = expected[i] < 0 || expected[i] == actual[i];
    }
    if (!ok) {
      throw new CheckpointException(
          "tensor '"
              + key
              + "' has shape "
              + Arrays.toString(actual)
              + ", expected "
              + Arrays.toString(expected).replace("-1", "*"));
    }
    return source.readFloats(key);
  }

  /**
   * A conv weight with weight norm folded in ({@code w = g * v / ||v||}, the norm over all axes but
   * axis 0, one per index of axis 0: per output channel for Conv1d (out, in, k), per input channel
   * for ConvTranspose1d (in, out, k)).
   */
  float[] convWeight(String module, long... expected) {
    float[] v = floats(layout.weightKey(module), expected);
    if (!layout.weightNormed()) {
      return v;
    }
    long[] shape = shape(layout.weightKey(module));
    int rows = (int) shape[0];
    float[] g = floats(layout.gainKey(module), rows, 1, 1);
    return foldWeightNorm(g, v, rows);
  }

  /** A conv bias of {@code channels} values. */
  float[] convBias(String module, long channels) {
    return floats(module + ".bias", channels);
  }

  static float[] foldWeightNorm(float[] g, float[] v, int rows) {
    int perRow = v.length / rows;
    float[] w = new float[v.length];
    for (int r = 0; r < rows; r++) {
      double sumSquares = 0;
      for (int i = r * perRow; i < (r + 1) * perRow; i++) {
        sumSquares += (double) v[i] * v[i];
      }
      float scale = (float) (g[r] / Math.sqrt(sumSquares)); // no epsilon, as torch's weight_norm
      for (int i = r * perRow; i < (r + 1) * perRow; i++) {
        w[i] = v[i] * scale;
      }
    }
    return w;
  }

  /** Uploads int64 values to the decoder's manager. */
  NDArray uploadLongs(long[] values, long... shape) {
    return manager.create(values, new Shape(shape));
  }

  /** Uploads host values to the decoder's manager in the compute dtype. */
  NDArray upload(float[] values, long... shape) {
    NDArray array = manager.create(values, new Shape(shape));
    if (dtype == DataType.FLOAT32) {
      return array;
    }
    try (array) {
      return array.toType(dtype, false);
    }
  }
}
