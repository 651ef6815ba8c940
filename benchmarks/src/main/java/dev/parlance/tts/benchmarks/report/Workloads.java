package dev.parlance.tts.benchmarks.report;

import dev.parlance.tts.benchmarks.BenchDevice;
import dev.parlance.tts.benchmarks.audio.ResamplerBenchmark;
import dev.parlance.tts.benchmarks.cache.PhraseCacheBenchmark;
import dev.parlance.tts.benchmarks.floors.GemmBenchmark;
import dev.parlance.tts.benchmarks.floors.MemoryBandwidthBenchmark;
import dev.parlance.tts.benchmarks.generation.SamplerBenchmark;
import dev.parlance.tts.benchmarks.model.ProjectionBenchmark;
import java.util.Locale;

/**
 * What each benchmark must do at least (bytes to read, FLOPs), hence its floor time, and the rates
 * to show beside it. One place, so the README's ratios are defined in code.
 */
final class Workloads {

  /** A table row's work column, floor time (NaN when none applies) and derived rates. */
  record Line(String work, double floorSeconds, String derived) {}

  private Workloads() {}

  static Line line(RatioReport.Result r, Floors f) {
    double bw = f.bandwidth();
    return switch (r.shortName()) {
      case "MemoryBandwidthBenchmark.djlReadSum" ->
          bandwidthLine(r, MemoryBandwidthBenchmark.BYTES, bw);
      case "MemoryBandwidthBenchmark.javaArrayCopy",
          "MemoryBandwidthBenchmark.djlCopyInto",
          "MemoryBandwidthBenchmark.djlDuplicate" ->
          bandwidthLine(r, 2.0 * MemoryBandwidthBenchmark.BYTES, bw);
      case "MatmulBenchmark.matvecStreamed", "MatmulBenchmark.linearStreamed" -> {
        double bytes = matvecWeightBytes(r);
        yield new Line(
            gb(bytes) + " weights",
            bytes / bw,
            String.format(
                Locale.ROOT,
                "%.1f GB/s, %.1f GFLOP/s",
                bytes / r.seconds() / 1e9,
                matvecFlops(r) / r.seconds() / 1e9));
      }
      case "ProjectionBenchmark.streamed" -> {
        double bytes =
            (double) ProjectionBenchmark.IN
                * ProjectionBenchmark.OUT
                * BenchDevice.weights(r.param("weights")).bytesPerWeight();
        yield new Line(
            gb(bytes) + " weights",
            bytes / bw,
            String.format(Locale.ROOT, "%.1f GB/s", bytes / r.seconds() / 1e9));
      }
      case "MatmulBenchmark.matvecHot" ->
          new Line(
              gflop(matvecFlops(r)) + " (cache-resident)",
              Double.NaN,
              String.format(Locale.ROOT, "%.1f GFLOP/s", matvecFlops(r) / r.seconds() / 1e9));
      case "GemmBenchmark.gemm" -> {
        double flops = 2.0 * GemmBenchmark.M * GemmBenchmark.K * GemmBenchmark.N;
        yield new Line(
            gflop(flops),
            Double.NaN,
            String.format(Locale.ROOT, "%.0f GFLOP/s", flops / r.seconds() / 1e9));
      }
      case "ResamplerBenchmark.whole", "ResamplerBenchmark.streamed" ->
          new Line(
              "1 s of 44.1 kHz audio",
              Double.NaN,
              String.format(
                  Locale.ROOT,
                  "%.0fx real time, %.1f M input samples/s",
                  1 / r.seconds(),
                  ResamplerBenchmark.INPUT_RATE / r.seconds() / 1e6));
      case "PhraseCacheBenchmark.memoryHit", "PhraseCacheBenchmark.diskHit" -> {
        double bytes = 2.0 * PhraseCacheBenchmark.SECONDS * PhraseCacheBenchmark.SAMPLE_RATE * 4;
        yield new Line(
            gb(bytes) + " copied (2 s clip, float32)",
            bytes / bw,
            String.format(
                Locale.ROOT,
                "%.0fx faster than real time",
                PhraseCacheBenchmark.SECONDS / r.seconds()));
      }
      case "HttpRoundTripBenchmark.spiInProcess" ->
          new Line(
              inProcessWork(r) + " through the SPI (floor of the HTTP round trip)", Double.NaN, "");
      case "HttpRoundTripBenchmark.httpLoopback", "HttpRoundTripBenchmark.httpLoopbackOpus" -> {
        double floor = f.inProcessSeconds.getOrDefault(r.param("cache"), Double.NaN);
        String as = r.shortName().endsWith("Opus") ? " as 48 kHz Ogg Opus" : "";
        yield new Line(
            inProcessWork(r) + as + " over HTTP on 127.0.0.1 (floor: the same through the SPI)",
            floor,
            httpExtra(r.seconds() - floor));
      }
      case "HttpRoundTripBenchmark.spiFirstAudio" ->
          new Line(
              "first chunk of the SPI stream, " + inProcessWork(r) + " (floor of streaming)",
              Double.NaN,
              "");
      case "HttpRoundTripBenchmark.httpStreamFirstByte" -> {
        double floor = f.firstAudioSeconds.getOrDefault(r.param("cache"), Double.NaN);
        yield new Line(
            "first audio byte of a streamed response, "
                + inProcessWork(r)
                + " (floor: the SPI stream's first chunk)",
            floor,
            httpExtra(r.seconds() - floor));
      }
      case "SamplerBenchmark.choose" ->
          new Line(
              Integer.parseInt(r.param("requests")) * SamplerBenchmark.CODEBOOKS
                  + " rows of "
                  + SamplerBenchmark.VOCAB
                  + " logits to token ids",
              Double.NaN,
              "");
      case "DecoderStepBenchmark.step" -> ModelWork.decoderStep(r, f);
      case "T5EncoderBenchmark.encode" -> ModelWork.t5(r, f);
      case "DacDecodeBenchmark.decode" -> ModelWork.dac(r, f);
      case "SynthesisBenchmark.synthesize" ->
          new Line(
              "2 s utterance (173 frames, 182 decoder steps)",
              Double.NaN,
              String.format(
                  Locale.ROOT, "real-time factor %.2f (time / audio)", r.seconds() / 2.0));
      case "SynthesisBenchmark.timeToFirstAudio" ->
          new Line("first streamed chunk", Double.NaN, "");
      default -> new Line("?", Double.NaN, "");
    };
  }

  private static String httpExtra(double seconds) {
    if (Double.isNaN(seconds)) {
      return "";
    }
    // Round trip and floor run in different forks: under load the floor can come out slower.
    return seconds >= 0
        ? "HTTP adds " + RatioReport.time(seconds) + " per request"
        : "below its floor by " + RatioReport.time(-seconds) + " (the two ran in different forks)";
  }

  private static String inProcessWork(RatioReport.Result r) {
    return r.param("cache").equals("hit")
        ? "phrase-cache hit (tiny fixture)"
        : "synthesis on the tiny fixture";
  }

  static double matvecFlops(RatioReport.Result r) {
    return 2.0 * r.intParam("batch") * r.intParam("hidden") * r.intParam("outFeatures");
  }

  private static double matvecWeightBytes(RatioReport.Result r) {
    return (double) r.intParam("hidden") * r.intParam("outFeatures") * bytesPer(r.param("dtype"));
  }

  static int bytesPer(String dtype) {
    return dtype.equals("float32") ? 4 : 2;
  }

  private static Line bandwidthLine(RatioReport.Result r, double bytes, double floorBandwidth) {
    return new Line(
        gb(bytes) + " moved",
        bytes / floorBandwidth,
        String.format(Locale.ROOT, "%.1f GB/s", bytes / r.seconds() / 1e9));
  }

  static String gb(double bytes) {
    return bytes >= 1e9
        ? String.format(Locale.ROOT, "%.2f GB", bytes / 1e9)
        : String.format(Locale.ROOT, "%.1f MB", bytes / 1e6);
  }

  static String gflop(double flops) {
    return String.format(Locale.ROOT, "%.3f GFLOP", flops / 1e9);
  }
}
