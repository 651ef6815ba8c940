package dev.parlance.tts.benchmarks.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Locale;
import org.junit.jupiter.api.Test;

/** The ratio table reads JMH's JSON and divides by floors from the same run. */
class RatioReportTest {

  private static String result(String benchmark, String params, double score, String unit) {
    return String.format(
        Locale.ROOT,
        "{\"benchmark\":\"dev.parlance.tts.benchmarks.%s\",\"mode\":\"avgt\",\"params\":{%s},"
            + "\"primaryMetric\":{\"score\":%s,\"scoreError\":\"NaN\",\"scoreUnit\":\"%s\"}}",
        benchmark,
        params,
        score,
        unit);
  }

  @Test
  void decoderStepIsDividedByTheBandwidthFloorOfTheSameRun() {
    // 268 435 456 bytes read in 100 ms: 2.68 GB/s; GEMM 4.295 GFLOP in 100 ms: 42.9 GFLOP/s
    String json =
        "["
            + result("floors.MemoryBandwidthBenchmark.djlReadSum", "", 100, "ms/op")
            + ","
            + result("floors.GemmBenchmark.gemm", "\"dtype\":\"float32\"", 100, "ms/op")
            + ","
            + result(
                "model.DecoderStepBenchmark.step", "\"variant\":\"float32/1/16\"", 1000, "ms/op")
            + "]";
    Floors floors = Floors.from(RatioReport.fromJmhJson(json, "cpu").results());
    assertEquals(2.684e9, floors.bandwidth(), 1e6);
    assertEquals(42.95e9, floors.gemmRate("float32"), 1e7);

    // weights 24*(6H^2 + 2HF) + 9*1088*H = 362.5 M params, KV 2*24*1024*(17+40) values; x4 bytes
    double bytes = (362_348_544.0 + 2.0 * 24 * 1024 * 57) * 4;
    String table = RatioReport.fromJmhJson(json, "cpu").markdown();
    String expectedRatio = String.format(Locale.ROOT, "%.2fx", 1.0 / (bytes / 2.684e9));
    assertTrue(
        table.contains("| DecoderStepBenchmark.step | variant=float32/1/16 | 1.00 s |"), table);
    assertTrue(table.contains(expectedRatio + " | bandwidth-bound floor"), table);
  }

  @Test
  void httpRoundTripIsDividedByTheSameCallThroughTheSpi() {
    String json =
        "["
            + result("http.HttpRoundTripBenchmark.spiInProcess", "\"cache\":\"hit\"", 8, "us/op")
            + ","
            + result("http.HttpRoundTripBenchmark.httpLoopback", "\"cache\":\"hit\"", 600, "us/op")
            + ","
            + result("http.HttpRoundTripBenchmark.spiInProcess", "\"cache\":\"miss\"", 50, "ms/op")
            + "]";
    String table = RatioReport.fromJmhJson(json, "cpu").markdown();
    assertTrue(table.contains("| 8.0 µs | 75.00x | HTTP adds 592.0 µs per request |"), table);
    // no round trip measured for cache=miss: its floor row stands alone, without a ratio
    assertTrue(table.contains("| cache=miss | 50.00 ms |"), table);
  }

  @Test
  void streamingAndOpusRoundTripsAreDividedByTheirOwnSpiFloors() {
    String json =
        "["
            + result("http.HttpRoundTripBenchmark.spiInProcess", "\"cache\":\"miss\"", 40, "ms/op")
            + ","
            + result("http.HttpRoundTripBenchmark.spiFirstAudio", "\"cache\":\"miss\"", 10, "ms/op")
            + ","
            + result(
                "http.HttpRoundTripBenchmark.httpStreamFirstByte",
                "\"cache\":\"miss\"",
                12,
                "ms/op")
            + ","
            + result(
                "http.HttpRoundTripBenchmark.httpLoopbackOpus", "\"cache\":\"miss\"", 50, "ms/op")
            + "]";
    String table = RatioReport.fromJmhJson(json, "cpu").markdown();
    // the first byte is floored by the first chunk, not by the whole synthesis
    assertTrue(table.contains("| 10.00 ms | 1.20x | HTTP adds 2.00 ms per request |"), table);
    assertTrue(table.contains("| 40.00 ms | 1.25x | HTTP adds 10.00 ms per request |"), table);
  }

  @Test
  void dacWorkIsThePublishedFlopCount() {
    assertEquals(1.61e9, ModelWork.dacFlopsPerFrame(), 0.005e9); // spec §10.3
  }
}
