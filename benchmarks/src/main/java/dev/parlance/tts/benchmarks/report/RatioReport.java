package dev.parlance.tts.benchmarks.report;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/**
 * Turns a JMH JSON result into the README table: every result beside the floor its work implies
 * (bytes / measured bandwidth, FLOPs / measured matmul rate), both measured in the same run, so the
 * ratio stays meaningful on a noisy shared machine.
 */
public final class RatioReport {

  /** One JMH result: average time per operation in seconds. */
  public record Result(String benchmark, Map<String, String> params, double seconds, double error) {

    /** The class and method, e.g. {@code MatmulBenchmark.matvecStreamed}. */
    public String shortName() {
      String[] parts = benchmark.split("\\.");
      return parts[parts.length - 2] + "." + parts[parts.length - 1];
    }

    public String param(String name) {
      return params.get(name);
    }

    public int intParam(String name) {
      return Integer.parseInt(params.get(name));
    }
  }

  private final List<Result> results;
  private final Floors floors;
  private final String device;

  private RatioReport(List<Result> results, String device) {
    this.results = results;
    this.floors = Floors.from(results);
    this.device = device;
  }

  /** The results, in JMH's order. */
  List<Result> results() {
    return results;
  }

  /** Reads the array JMH writes with {@code -rf json}. */
  public static RatioReport fromJmhJson(String json, String device) {
    List<Result> results = new ArrayList<>();
    for (JsonElement e : JsonParser.parseString(json).getAsJsonArray()) {
      JsonObject o = e.getAsJsonObject();
      Map<String, String> params = new TreeMap<>();
      if (o.has("params")) {
        o.getAsJsonObject("params")
            .entrySet()
            .forEach(p -> params.put(p.getKey(), p.getValue().getAsString()));
      }
      JsonObject metric = o.getAsJsonObject("primaryMetric");
      double scale = secondsPer(metric.get("scoreUnit").getAsString());
      double error = metric.get("scoreError").getAsDouble();
      results.add(
          new Result(
              o.get("benchmark").getAsString(),
              params,
              metric.get("score").getAsDouble() * scale,
              Double.isNaN(error) ? 0 : error * scale));
    }
    return new RatioReport(results, device);
  }

  private static double secondsPer(String unit) {
    return switch (unit) {
      case "s/op" -> 1;
      case "ms/op" -> 1e-3;
      case "us/op" -> 1e-6;
      case "ns/op" -> 1e-9;
      default -> throw new IllegalArgumentException("unsupported JMH unit " + unit + " (use avgt)");
    };
  }

  /** The floors, then a Markdown table with one row per result. */
  public String markdown() {
    StringBuilder out = new StringBuilder();
    out.append(String.format(Locale.ROOT, "Device: %s. %s%n%n", device, floors.describe()));
    out.append("| benchmark | params | time/op | work | floor time | ratio | derived |\n");
    out.append("|---|---|---|---|---|---|---|\n");
    for (Result r : results) {
      Workloads.Line line = Workloads.line(r, floors);
      out.append(
          String.format(
              Locale.ROOT,
              "| %s | %s | %s%s | %s | %s | %s | %s |%n",
              r.shortName(),
              params(r.params()),
              time(r.seconds()),
              r.error() > 0 ? " ± " + time(r.error()) : "",
              line.work(),
              Double.isNaN(line.floorSeconds()) ? "–" : time(line.floorSeconds()),
              Double.isNaN(line.floorSeconds())
                  ? "–"
                  : String.format(Locale.ROOT, "%.2fx", r.seconds() / line.floorSeconds()),
              line.derived()));
    }
    return out.toString();
  }

  private static String params(Map<String, String> params) {
    if (params.isEmpty()) {
      return "";
    }
    StringBuilder b = new StringBuilder();
    params.forEach((k, v) -> b.append(b.length() == 0 ? "" : " ").append(k).append('=').append(v));
    return b.toString();
  }

  static String time(double seconds) {
    if (seconds >= 1) {
      return String.format(Locale.ROOT, "%.2f s", seconds);
    }
    if (seconds >= 1e-3) {
      return String.format(Locale.ROOT, "%.2f ms", seconds * 1e3);
    }
    return String.format(Locale.ROOT, "%.1f µs", seconds * 1e6);
  }
}
