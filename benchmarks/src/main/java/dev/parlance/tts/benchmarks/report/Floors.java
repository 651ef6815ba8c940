package dev.parlance.tts.benchmarks.report;

import dev.parlance.tts.benchmarks.floors.GemmBenchmark;
import dev.parlance.tts.benchmarks.floors.MemoryBandwidthBenchmark;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The floors measured in one run: memory bandwidth (the best of the large copies and the large
 * read), and matmul rates per dtype (compute-bound GEMM; streamed matrix-vector per batch).
 */
final class Floors {

  /** Bytes per second each bandwidth benchmark reached, by method name. */
  final Map<String, Double> bandwidths = new LinkedHashMap<>();

  /** FLOP/s of the compute-bound GEMM, by dtype. */
  final Map<String, Double> gemmRates = new LinkedHashMap<>();

  /** FLOP/s of the streamed matrix-vector product ({@code matMul}), by "dtype/batch". */
  final Map<String, Double> matvecRates = new LinkedHashMap<>();

  /**
   * Seconds of the in-process SPI call that floors the HTTP round trip, by its {@code cache} param
   * ({@code HttpRoundTripBenchmark.spiInProcess}).
   */
  final Map<String, Double> inProcessSeconds = new LinkedHashMap<>();

  /**
   * Seconds to the first chunk of the in-process SPI stream, which floors the streaming round trip,
   * by its {@code cache} param ({@code HttpRoundTripBenchmark.spiFirstAudio}).
   */
  final Map<String, Double> firstAudioSeconds = new LinkedHashMap<>();

  private Floors() {}

  static Floors from(List<RatioReport.Result> results) {
    Floors f = new Floors();
    for (RatioReport.Result r : results) {
      switch (r.shortName()) {
        case "MemoryBandwidthBenchmark.djlReadSum" ->
            f.bandwidths.put("djlReadSum", MemoryBandwidthBenchmark.BYTES / r.seconds());
        case "MemoryBandwidthBenchmark.javaArrayCopy",
            "MemoryBandwidthBenchmark.djlCopyInto",
            "MemoryBandwidthBenchmark.djlDuplicate" ->
            f.bandwidths.put(
                r.shortName().substring(r.shortName().indexOf('.') + 1),
                2.0 * MemoryBandwidthBenchmark.BYTES / r.seconds());
        case "GemmBenchmark.gemm" ->
            f.gemmRates.put(
                r.param("dtype"),
                2.0 * GemmBenchmark.M * GemmBenchmark.K * GemmBenchmark.N / r.seconds());
        case "MatmulBenchmark.matvecStreamed" ->
            f.matvecRates.put(
                r.param("dtype") + "/" + r.param("batch"), Workloads.matvecFlops(r) / r.seconds());
        case "HttpRoundTripBenchmark.spiInProcess" ->
            f.inProcessSeconds.put(r.param("cache"), r.seconds());
        case "HttpRoundTripBenchmark.spiFirstAudio" ->
            f.firstAudioSeconds.put(r.param("cache"), r.seconds());
        default -> {}
      }
    }
    return f;
  }

  /** The memory-bandwidth floor, bytes/s: the best rate any copy or read reached. NaN if none. */
  double bandwidth() {
    return bandwidths.values().stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
  }

  /** Compute-bound matmul FLOP/s at {@code dtype}; NaN if not measured. */
  double gemmRate(String dtype) {
    return gemmRates.getOrDefault(dtype, Double.NaN);
  }

  String describe() {
    StringBuilder b = new StringBuilder("Floors measured in this run:");
    section(b, "bandwidth", bandwidths, "%s %.1f GB/s");
    if (!bandwidths.isEmpty()) {
      b.append(String.format(Locale.ROOT, " (floor = best = %.1f GB/s)", bandwidth() / 1e9));
    }
    section(b, "GEMM", gemmRates, "%s %.0f GFLOP/s");
    section(b, "streamed matvec (dtype/batch)", matvecRates, "%s %.1f GFLOP/s");
    if (b.charAt(b.length() - 1) == ':') {
      b.append(" none (in-process floors only)");
    }
    return b.append('.').toString();
  }

  private static void section(
      StringBuilder b, String title, Map<String, Double> rates, String format) {
    if (rates.isEmpty()) {
      return;
    }
    b.append(b.charAt(b.length() - 1) == ':' ? " " : "; ").append(title);
    String sep = " ";
    for (Map.Entry<String, Double> e : rates.entrySet()) {
      b.append(sep).append(String.format(Locale.ROOT, format, e.getKey(), e.getValue() / 1e9));
      sep = ", ";
    }
  }
}
