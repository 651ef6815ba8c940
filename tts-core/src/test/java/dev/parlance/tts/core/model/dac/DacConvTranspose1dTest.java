package dev.parlance.tts.core.model.dac;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.parlance.tts.core.testing.Tensors;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The polyphase ConvTranspose1d against a direct scatter-add reference on random data. */
class DacConvTranspose1dTest {

  /**
   * torch ConvTranspose1d(in, out, kernel, stride, padding), output_padding 0: every input sample u
   * adds {@code W[:, :, j] x[u]} at uncropped position {@code u*stride + j}; the first and last
   * {@code padding} positions are cropped.
   */
  private static float[] reference(
      float[] x,
      float[] w,
      float[] bias,
      int batch,
      int in,
      int out,
      int length,
      int kernel,
      int stride,
      int padding) {
    int full = (length - 1) * stride + kernel;
    int kept = full - 2 * padding;
    float[] y = new float[batch * out * kept];
    for (int b = 0; b < batch; b++) {
      for (int o = 0; o < out; o++) {
        double[] acc = new double[full];
        for (int i = 0; i < in; i++) {
          for (int u = 0; u < length; u++) {
            double xv = x[(b * in + i) * length + u];
            for (int j = 0; j < kernel; j++) {
              acc[u * stride + j] += xv * w[(i * out + o) * kernel + j];
            }
          }
        }
        for (int m = 0; m < kept; m++) {
          y[(b * out + o) * kept + m] = (float) (acc[m + padding] + bias[o]);
        }
      }
    }
    return y;
  }

  private static float[] random(Random random, int n) {
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = (float) random.nextGaussian();
    }
    return v;
  }

  @ParameterizedTest(name = "stride {0}, in {1}, out {2}, length {3}, batch {4}")
  @CsvSource({"1,3,2,5,1", "2,6,3,7,2", "3,4,5,6,1", "4,8,4,9,2", "8,16,8,11,1", "8,5,3,1,1"})
  void matchesDirectTransposedConvolution(int stride, int in, int out, int length, int batch) {
    Random random = new Random(stride * 1000L + in);
    int kernel = 2 * stride;
    int padding = (stride + 1) / 2;
    float[] w = random(random, in * out * kernel);
    float[] bias = random(random, out);
    float[] x = random(random, batch * in * length);
    try (NDManager manager = NDManager.newBaseManager("PyTorch")) {
      DacConvTranspose1d conv =
          DacConvTranspose1d.create(
              new DacWeights(null, DacLayout.FOLDED, manager, DataType.FLOAT32),
              w,
              in,
              out,
              kernel,
              bias);
      NDArray y = conv.forward(manager.create(x, new Shape(batch, in, length)));
      int kept = (length + 1) * stride - 2 * padding;
      assertEquals(new Shape(batch, out, kept), y.getShape());
      Tensors.assertClose(
          "conv transpose",
          reference(x, w, bias, batch, in, out, length, kernel, stride, padding),
          y.toFloatArray(),
          1e-5,
          1e-5);
    }
  }
}
