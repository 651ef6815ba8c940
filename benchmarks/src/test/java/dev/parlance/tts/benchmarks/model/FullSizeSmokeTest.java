package dev.parlance.tts.benchmarks.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.parlance.tts.benchmarks.checkpoint.ParlerShape;
import dev.parlance.tts.benchmarks.checkpoint.RandomCheckpoint;
import dev.parlance.tts.core.device.DtypePolicy;
import dev.parlance.tts.core.engine.ProcessMemory;
import dev.parlance.tts.core.generation.SamplingSettings;
import dev.parlance.tts.core.kernel.WeightFormat;
import dev.parlance.tts.core.model.Conditioning;
import dev.parlance.tts.core.model.ParlerModel;
import dev.parlance.tts.core.model.decoder.KvCache;
import dev.parlance.tts.core.model.decoder.KvPool;
import dev.parlance.tts.core.tokenizer.TokenBatch;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;

/**
 * Full-size smoke run on the exact parler-tts-mini-v1 shapes (or large-v1 with {@code
 * -Dtts.smoke.shape=large-v1} in both property lists) with random weights (generated into a
 * temporary directory, deleted afterwards). Skipped by default; run with
 *
 * <pre>
 * mvn -B -o -pl benchmarks -am test -Dtest=FullSizeSmokeTest -Dsurefire.failIfNoSpecifiedTests=false \
 *     -Dtts.smoke=true -Ddjl.test.argLine="-Dai.djl.offline=true -Xmx4g -Dtts.smoke=true"
 * </pre>
 *
 * It prints load time, peak resident memory, T5 time on 40 tokens, decoder time per step and DAC
 * time for 2 s of audio (medians) on the CPU; the decoder's weights are float32 unless {@code
 * -Dtts.smoke.dtype=int8} (or bfloat16, float16) is added to both property lists. On an idle
 * machine add {@code -Domp.wait.policy=ACTIVE}: the suite's passive OpenMP workers cost ~50 us per
 * small op.
 */
@Tag("smoke")
@EnabledIfSystemProperty(named = "tts.smoke", matches = "true")
class FullSizeSmokeTest {

  @Test
  void miniV1Shapes() throws IOException {
    String kept = System.getProperty("tts.smoke.dir"); // reuse a generated checkpoint across runs
    Path dir = kept != null ? Path.of(kept) : Files.createTempDirectory("parler-mini-v1-random");
    try {
      long t0 = System.nanoTime();
      ParlerShape shape = ParlerShape.named(System.getProperty("tts.smoke.shape", "mini-v1"));
      if (!Files.isRegularFile(dir.resolve("config.json"))) {
        Path tokenizer = Path.of(System.getProperty("tts.fixtures.dir"), "tiny-mini-v1-arch");
        RandomCheckpoint.write(shape, 1, dir, tokenizer, RandomCheckpoint.DEFAULT_MAX_SHARD_BYTES);
      }
      long bytes = 0;
      try (Stream<Path> files = Files.list(dir)) {
        for (Path f : files.filter(f -> f.toString().endsWith(".safetensors")).toList()) {
          bytes += Files.size(f);
        }
      }
      report("%s checkpoint written (%.1f GB) in %d ms", shape.name(), bytes / 1e9, ms(t0));

      long start = System.nanoTime();
      WeightFormat weights =
          WeightFormat.valueOf(
              System.getProperty("tts.smoke.dtype", "float32").toUpperCase(Locale.ROOT));
      try (ParlerModel model = ParlerModel.load(dir, Device.cpu(), DtypePolicy.of(weights))) {
        report(
            "load (decoder weights %s): %d ms, resident %s, peak resident %s",
            weights,
            ms(start),
            ProcessMemory.mib(ProcessMemory.residentBytes()),
            ProcessMemory.mib(ProcessMemory.peakResidentBytes()));

        // T5 on 40 description tokens
        long[][] ids = new long[1][40];
        long[][] mask = new long[1][40];
        for (int i = 0; i < 40; i++) {
          ids[0][i] = 3 + (i * 37) % 100;
          mask[0][i] = 1;
        }
        ids[0][39] = 1;
        List<Double> t5 = new ArrayList<>();
        List<Double> t5Cpu = new ArrayList<>();
        for (int r = 0; r < 6; r++) {
          try (NDManager scope = model.newRequestManager()) {
            NDArray idArray = scope.create(ids[0], new Shape(1, 40));
            NDArray maskArray = scope.create(mask[0], new Shape(1, 40));
            long s = System.nanoTime();
            long c = cpu();
            model.textEncoder().encode(idArray, maskArray).toFloatArray();
            t5Cpu.add((cpu() - c) / 1e6);
            t5.add((System.nanoTime() - s) / 1e6);
          }
        }
        report(
            "T5 encoder, 40 tokens: median wall %.1f ms, calling-thread CPU %.1f ms (first run"
                + " excluded)",
            median(t5.subList(1, t5.size())), median(t5Cpu.subList(1, t5Cpu.size())));

        // decoder steps: 20-token prompt, 80 greedy steps
        long[][] promptIds = new long[1][20];
        long[][] promptMask = new long[1][20];
        for (int i = 0; i < 20; i++) {
          promptIds[0][i] = 3 + i;
          promptMask[0][i] = 1;
        }
        int steps = 80;
        List<Double> stepMs = new ArrayList<>();
        List<Double> stepCpu = new ArrayList<>();
        try (NDManager scope = model.newRequestManager()) {
          Conditioning c =
              model.condition(
                  new TokenBatch(ids, mask), new TokenBatch(promptIds, promptMask), scope);
          SamplingSettings settings = new SamplingSettings(false, 1.0, 50, 1.0, 7, steps + 1, 0);
          long[] last = {System.nanoTime(), cpu()};
          model.generate(
              c,
              settings,
              scope,
              (g, logits) -> {
                long now = System.nanoTime();
                long nowCpu = cpu();
                stepMs.add((now - last[0]) / 1e6);
                stepCpu.add((nowCpu - last[1]) / 1e6);
                last[0] = now;
                last[1] = nowCpu;
              });
        }
        assertEquals(steps, stepMs.size());
        report(
            "decoder: prefill (prompt 20 + BOS, cross K/V) %.1f ms; per step median %.1f ms, mean %.1f ms"
                + " over steps 2..%d",
            stepMs.get(0),
            median(stepMs.subList(1, steps)),
            stepMs.subList(1, steps).stream().mapToDouble(Double::doubleValue).average().orElse(0),
            steps);
        report(
            "decoder: per step median calling-thread CPU %.1f ms",
            median(stepCpu.subList(1, steps)));

        // continuous batching: 4 requests share each decoder step
        List<Double> batchMs = new ArrayList<>();
        List<Double> batchCpu = new ArrayList<>();
        try (NDManager batch = model.newRequestManager();
            KvPool pool = model.decoder().newPool(batch.newSubManager())) {
          KvCache[] caches = new KvCache[4];
          long[] columns = new long[4 * 9];
          for (int j = 0; j < 4; j++) {
            Conditioning c =
                model.condition(
                    List.of("A calm voice."), List.of("Hello there, number " + j + "."), batch);
            caches[j] =
                model
                    .decoder()
                    .newCache(
                        c.encoderStates(),
                        c.descriptionMask(),
                        c.promptMask(),
                        c.promptLength() + 40,
                        batch.newSubManager());
            long[] bos = new long[9];
            Arrays.fill(bos, model.config().generation().decoderStartTokenId());
            try (NDManager step = batch.newSubManager()) {
              model.decoder().step(caches[j], c.promptEmbeds(), bos, 1, step);
            }
          }
          for (int j = 0; j < 30; j++) {
            for (int i = 0; i < columns.length; i++) {
              columns[i] = (i * 31 + j * 7) % 1024;
            }
            long s = System.nanoTime();
            long c = cpu();
            try (NDManager step = batch.newSubManager()) {
              model.decoder().stepRows(pool, caches, columns, step);
            }
            batchCpu.add((cpu() - c) / 1e6);
            batchMs.add((System.nanoTime() - s) / 1e6);
          }
        }
        report(
            "batched decoder step, 4 rows: median wall %.1f ms, calling-thread CPU %.1f ms"
                + " (per row %.1f ms wall)",
            median(batchMs.subList(1, 30)),
            median(batchCpu.subList(1, 30)),
            median(batchMs.subList(1, 30)) / 4);

        // DAC on 2 s of audio
        int frames = (int) Math.ceil(2.0 * model.dac().config().frameRate());
        long[][] codes = new long[9][frames];
        for (int k = 0; k < 9; k++) {
          for (int j = 0; j < frames; j++) {
            codes[k][j] = (k * 131 + j * 17) % 1024;
          }
        }
        List<Double> dac = new ArrayList<>();
        List<Double> dacCpu = new ArrayList<>();
        for (int r = 0; r < 3; r++) {
          long s = System.nanoTime();
          long c = cpu();
          float[] audio = model.dac().decode(codes);
          dacCpu.add((cpu() - c) / 1e6);
          dac.add((System.nanoTime() - s) / 1e6);
          assertEquals(frames * 512, audio.length);
        }
        report(
            "DAC, %d frames (%.2f s of audio): median wall %.0f ms, calling-thread CPU %.0f ms",
            frames, frames * 512 / 44100.0, median(dac), median(dacCpu));
        report("peak resident memory: %s", ProcessMemory.mib(ProcessMemory.peakResidentBytes()));
        assertTrue(model.liveArrays() > 0);
      }
    } finally {
      if (kept != null) {
        return;
      }
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
          Files.deleteIfExists(p);
        }
      }
    }
  }

  /**
   * CPU time of this thread. With {@code -Dai.djl.pytorch.num_threads=1} libtorch computes on the
   * calling thread, so this is the compute cost even when other processes share the cores.
   */
  private static long cpu() {
    return ManagementFactory.getThreadMXBean().getCurrentThreadCpuTime();
  }

  private static long ms(long start) {
    return (System.nanoTime() - start) / 1_000_000;
  }

  private static double median(List<Double> values) {
    double[] v = values.stream().mapToDouble(Double::doubleValue).toArray();
    Arrays.sort(v);
    return v.length % 2 == 1 ? v[v.length / 2] : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
  }

  private static void report(String format, Object... args) {
    System.out.println("[smoke] " + String.format(format, args));
  }
}
