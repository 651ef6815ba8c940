package dev.parlance.tts.core.model.dac;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.convolutional.Conv1d;
import dev.parlance.tts.core.checkpoint.CheckpointException;
import java.util.Arrays;

/**
 * ConvTranspose1d(in, out, kernel 2s, stride s, padding ceil(s/2)) with bias, built from a plain
 * Conv1d because DJL's PyTorch engine does not implement deconvolution.
 *
 * <p>Polyphase form: with kernel 2s, uncropped output sample {@code v*s + r} (phase r < s) is
 * {@code W[:,:,r]·x[v] + W[:,:,r+s]·x[v-1]}. That is one Conv1d with kernel 2 and padding 1 whose
 * {@code out*s} output channels are the phases, then an interleave of phases into time and the crop
 * of {@code padding} samples at each end. Same FLOPs as a native transposed conv, three ops.
 * Checkpoint: weight (in, out, 2s) (weight norm per input channel), bias (out).
 */
final class DacConvTranspose1d implements DacLayer {
  private final NDArray phaseWeight; // (out*s, in, 2)
  private final NDArray phaseBias; // (out*s)
  private final int outChannels;
  private final int stride;
  private final int padding;

  private DacConvTranspose1d(NDArray phaseWeight, NDArray phaseBias, int outChannels, int stride) {
    this.phaseWeight = phaseWeight;
    this.phaseBias = phaseBias;
    this.outChannels = outChannels;
    this.stride = stride;
    this.padding = (stride + 1) / 2;
  }

  /**
   * From a folded ConvTranspose1d weight (in, out, kernel) and bias (out), rearranged on the host
   * into the polyphase conv.
   */
  static DacConvTranspose1d create(
      DacWeights weights,
      float[] weight,
      int inChannels,
      int outChannels,
      int kernel,
      float[] bias) {
    if (kernel % 2 != 0) {
      throw new IllegalArgumentException("kernel " + kernel + " is not twice a stride");
    }
    int s = kernel / 2;
    float[] w = new float[outChannels * s * inChannels * 2];
    float[] b = new float[outChannels * s];
    for (int o = 0; o < outChannels; o++) {
      for (int r = 0; r < s; r++) {
        int row = o * s + r;
        b[row] = bias[o];
        for (int i = 0; i < inChannels; i++) {
          int src = (i * outChannels + o) * kernel;
          int dst = (row * inChannels + i) * 2;
          w[dst] = weight[src + r + s]; // tap 0 reads x[v-1]
          w[dst + 1] = weight[src + r]; // tap 1 reads x[v]
        }
      }
    }
    return new DacConvTranspose1d(
        weights.upload(w, (long) outChannels * s, inChannels, 2),
        weights.upload(b, (long) outChannels * s),
        outChannels,
        s);
  }

  static DacConvTranspose1d load(DacWeights weights, String module, long in) {
    long[] shape = weights.convShape(module);
    if (shape.length != 3 || shape[2] % 2 != 0) {
      throw new CheckpointException(
          "ConvTranspose1d '"
              + module
              + "' weight must be (in, out, 2*stride), got shape "
              + Arrays.toString(shape));
    }
    float[] w = weights.convWeight(module, in, -1, -1);
    float[] b = weights.convBias(module, shape[1]);
    return create(weights, w, (int) shape[0], (int) shape[1], (int) shape[2], b);
  }

  int stride() {
    return stride;
  }

  @Override
  public int scale() {
    return stride;
  }

  int outChannels() {
    return outChannels;
  }

  @Override
  public NDArray forward(NDArray x) {
    long batch = x.getShape().get(0);
    long length = x.getShape().get(2);
    try (NDArray phases =
            Conv1d.conv1d(x, phaseWeight, phaseBias, new Shape(1), new Shape(1), new Shape(1), 1)
                .singletonOrThrow(); // (B, out*s, L+1)
        NDArray split = phases.reshape(batch, outChannels, stride, length + 1);
        NDArray timeMajor = split.transpose(0, 1, 3, 2); // (B, out, L+1, s), a view
        NDArray interleaved = timeMajor.reshape(batch, outChannels, (length + 1) * stride)) {
      long kept = (length + 1) * stride - 2L * padding;
      return interleaved.get(":, :, {}:{}", padding, padding + kept);
    }
  }

  @Override
  public Span exactOutputs(Span in) {
    // Output m reads inputs floor((m+p)/s) - 1 and floor((m+p)/s).
    return new Span((in.from() + 1) * stride - padding, in.to() * stride - padding);
  }
}
