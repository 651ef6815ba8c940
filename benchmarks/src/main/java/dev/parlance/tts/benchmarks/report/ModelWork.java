package dev.parlance.tts.benchmarks.report;

import dev.parlance.tts.benchmarks.BenchDevice;
import dev.parlance.tts.benchmarks.checkpoint.BenchCheckpoints;
import dev.parlance.tts.benchmarks.checkpoint.ParlerShape;
import dev.parlance.tts.benchmarks.model.DacDecodeBenchmark;
import dev.parlance.tts.core.kernel.WeightFormat;
import java.util.Locale;
import java.util.Objects;

/**
 * Minimum work of the model benchmarks at mini-v1 shapes (spec §10): what a step must read and
 * compute. The floor time is the larger of bytes / bandwidth and FLOPs / matmul rate.
 */
final class ModelWork {

  private static final ParlerShape S = BenchCheckpoints.shape();
  private static final int DESCRIPTION_TOKENS = 40;

  private ModelWork() {}

  /**
   * Decoder step: weights read once per step whatever the batch, at their format's bytes (4H²
   * self-attention, 2H² cross q/o, 2HF FFN per layer; K·V·H heads; embedding rows are negligible),
   * plus each row's self K/V up to the position and cross K/V over the description.
   */
  static Workloads.Line decoderStep(RatioReport.Result r, Floors f) {
    String[] v = r.param("variant").split("/");
    WeightFormat weights = BenchDevice.weights(v[0]);
    int batch = Integer.parseInt(v[1]);
    long position = Long.parseLong(v[2]);
    long h = S.hidden();
    long weightParams =
        S.layers() * (6 * h * h + 2 * h * S.ffn()) + (long) S.codebooks() * S.decoderVocab() * h;
    double kv = 2.0 * S.layers() * batch * h * (position + 1 + DESCRIPTION_TOKENS);
    double bytes =
        weightParams * weights.bytesPerWeight() + kv * weights.activations().getNumOfBytes();
    double flops = 2.0 * batch * weightParams + 2.0 * kv; // q·k and p·v: 2 FLOPs per cached value
    double memory = bytes / f.bandwidth();
    double compute = flops / f.gemmRate("float32");
    return new Workloads.Line(
        Workloads.gb(bytes) + ", " + Workloads.gflop(flops),
        Math.max(memory, compute),
        String.format(
            Locale.ROOT,
            "%s-bound floor; %.1f GB/s effective",
            memory >= compute ? "bandwidth" : "compute",
            bytes / r.seconds() / 1e9));
  }

  /** T5 on 40 tokens: every non-embedding weight once per token, plus attention. */
  static Workloads.Line t5(RatioReport.Result r, Floors f) {
    long d = S.t5Dim();
    long inner = (long) S.t5Heads() * S.t5HeadDim();
    long perBlock = 4 * d * inner + 3 * d * S.t5Ff();
    double flops =
        S.t5Layers()
            * (2.0 * DESCRIPTION_TOKENS * perBlock
                + 4.0 * DESCRIPTION_TOKENS * DESCRIPTION_TOKENS * inner);
    // the floor is float32's GEMM rate: bfloat16 projections can beat it (ratio below 1)
    double bytes =
        (double)
                BenchDevice.weights(Objects.requireNonNullElse(r.param("weights"), "float32"))
                    .bytesPerWeight()
            * S.t5Layers()
            * perBlock;
    return computeLine(r, f, flops, bytes);
  }

  /** DAC decode: 1.61 GFLOP per frame (conv_in, 4 upsampling blocks, final conv). */
  static Workloads.Line dac(RatioReport.Result r, Floors f) {
    double flops = DacDecodeBenchmark.FRAMES * dacFlopsPerFrame();
    return computeLine(r, f, flops, 0);
  }

  static double dacFlopsPerFrame() {
    double c = S.dacDecoderDim();
    double flops = 2 * S.latentDim() * c * 7; // conv_in, one sample per frame
    double rate = 1; // samples per frame at the current stage
    for (int s : S.dacDecoderRates()) {
      flops += 2 * c * (c / 2) * 2 * s * rate; // ConvTranspose1d, kernel 2s, per input sample
      c /= 2;
      rate *= s;
      flops += 3 * (2 * c * c * 7 + 2 * c * c) * rate; // residual units: k7 conv + 1x1 conv
    }
    flops += 2 * c * 7 * rate; // final conv to one channel
    return flops + S.codebooks() * 2.0 * S.codebookDim() * S.latentDim(); // quantizer out_proj
  }

  private static Workloads.Line computeLine(
      RatioReport.Result r, Floors f, double flops, double bytes) {
    double compute = flops / f.gemmRate("float32");
    double memory = bytes / f.bandwidth();
    return new Workloads.Line(
        Workloads.gflop(flops) + (bytes > 0 ? ", " + Workloads.gb(bytes) : ""),
        Math.max(compute, memory),
        String.format(
            Locale.ROOT,
            "%s-bound floor; %.1f GFLOP/s effective",
            compute >= memory ? "compute" : "bandwidth",
            flops / r.seconds() / 1e9));
  }
}
