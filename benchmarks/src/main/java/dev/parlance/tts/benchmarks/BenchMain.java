package dev.parlance.tts.benchmarks;

import dev.parlance.tts.benchmarks.checkpoint.BenchCheckpoints;
import dev.parlance.tts.benchmarks.checkpoint.ParlerShape;
import dev.parlance.tts.benchmarks.report.RatioReport;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.openjdk.jmh.results.format.ResultFormatType;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.CommandLineOptions;
import org.openjdk.jmh.runner.options.OptionsBuilder;

/**
 * Runs the JMH suite and prints the results as ratios to the floors measured in the same run:
 *
 * <pre>
 * java -jar benchmarks/target/benchmarks.jar [--device cpu|cuda|cuda:N] [--threads N]
 *     [--shape mini-v1|large-v1] [--report FILE.md] [--results FILE.json]
 *     [any JMH option or benchmark regex]
 * java -cp benchmarks/target/benchmarks.jar dev.parlance.tts.benchmarks.BenchMain
 *     --report-only FILE.json   (re-renders an earlier run)
 * </pre>
 *
 * {@code --device} sets {@value BenchDevice#PROPERTY} in every fork, {@code --shape} the checkpoint
 * shape the model benchmarks load and the report's work figures, {@code --threads} libtorch's
 * intra-op threads ({@code ai.djl.pytorch.num_threads}; on a shared machine 1 avoids OpenMP threads
 * waiting on a descheduled sibling); {@code tts.fixtures.dir} and {@code parlance.bench.cache} are
 * forwarded when given to this JVM. The suite must include the floors ({@code floors.*}) for ratios
 * to appear.
 */
public final class BenchMain {

  private BenchMain() {}

  public static void main(String[] args) throws Exception {
    String device = "cpu";
    String shape = System.getProperty(BenchCheckpoints.SHAPE_PROPERTY, "mini-v1");
    String threads = null;
    Path results = Path.of("jmh-result.json");
    Path report = null;
    Path reportOnly = null;
    List<String> jmhArgs = new ArrayList<>();
    for (int i = 0; i < args.length; i++) {
      switch (args[i]) {
        case "--device" -> device = args[++i];
        case "--shape" -> shape = ParlerShape.named(args[++i]).name();
        case "--threads" -> threads = args[++i];
        case "--results" -> results = Path.of(args[++i]);
        case "--report" -> report = Path.of(args[++i]);
        case "--report-only" -> reportOnly = Path.of(args[++i]);
        default -> jmhArgs.add(args[i]);
      }
    }
    System.setProperty(BenchCheckpoints.SHAPE_PROPERTY, shape); // the report's work figures
    if (reportOnly == null) {
      requireDevice(device);
      CommandLineOptions cmd = new CommandLineOptions(jmhArgs.toArray(String[]::new));
      List<String> prepend = new ArrayList<>(cmd.getJvmArgsPrepend().orElse(List.of()));
      prepend.add("-D" + BenchDevice.PROPERTY + "=" + device);
      prepend.add("-D" + BenchCheckpoints.SHAPE_PROPERTY + "=" + shape);
      if (threads != null) {
        prepend.add("-Dai.djl.pytorch.num_threads=" + Integer.parseInt(threads));
      }
      // The HTTP server's logback.xml reads TTS_LOG_LEVEL: warnings only, unless asked otherwise.
      prepend.add("-DTTS_LOG_LEVEL=" + System.getProperty("TTS_LOG_LEVEL", "WARN"));
      for (String forwarded : List.of("tts.fixtures.dir", "parlance.bench.cache")) {
        String value = System.getProperty(forwarded);
        if (value != null) {
          prepend.add("-D" + forwarded + "=" + value);
        }
      }
      ChainedOptionsBuilder options =
          new OptionsBuilder()
              .parent(cmd)
              .jvmArgsPrepend(prepend.toArray(String[]::new))
              .resultFormat(ResultFormatType.JSON)
              .result(results.toString());
      new Runner(options.build()).run();
      reportOnly = results;
    }
    String setting =
        device + ", " + shape + (threads == null ? "" : ", " + threads + " libtorch thread(s)");
    String table = RatioReport.fromJmhJson(Files.readString(reportOnly), setting).markdown();
    System.out.println(table);
    if (report != null) {
      Files.writeString(report, table);
    }
  }

  /** Fails here, once, rather than with a libtorch backend error in every fork. */
  private static void requireDevice(String device) {
    if (device.equalsIgnoreCase("cpu")) {
      return; // no need to load libtorch in this JVM
    }
    try {
      BenchDevice.resolve(device);
    } catch (RuntimeException e) {
      System.err.println("--device " + device + ": " + e.getMessage());
      System.exit(2);
    }
  }
}
