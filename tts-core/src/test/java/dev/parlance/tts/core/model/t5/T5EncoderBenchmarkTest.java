package dev.parlance.tts.core.model.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.parlance.tts.core.checkpoint.SafetensorsWriter;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.checkpoint.TensorType;
import dev.parlance.tts.core.kernel.WeightFormat;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * T5 encode time at the real flan-T5-large shapes of parler-tts-mini-v1 (spec §1.2: d_model 1024,
 * 24 layers, 16 heads, d_kv 64, d_ff 2816, vocab 32128) with random weights, fp32 on the CPU. Run
 * with {@code -Dtts.benchmark=true}; prints load time and per-encode wall and process CPU time for
 * a 40-token description. On a shared machine the CPU time is the steadier number; with {@code
 * OMP_NUM_THREADS=1} it is the pure compute cost. On an oversubscribed CPU run with {@code
 * OMP_WAIT_POLICY=PASSIVE}: libtorch's libgomp threads otherwise spin at every parallel region and
 * a 2-thread encode measured over 10x slower.
 */
@EnabledIfSystemProperty(named = "tts.benchmark", matches = "true")
class T5EncoderBenchmarkTest {

  static final T5Config FLAN_T5_LARGE =
      new T5Config(32128, 1024, 64, 2816, 24, 16, 32, 128, 1e-6, "gelu_new", true);

  @TempDir Path dir;

  @Test
  void encodeFortyTokensAtMiniV1Shapes() throws IOException {
    T5Config c = FLAN_T5_LARGE;
    Path file = dir.resolve("t5.safetensors");
    long start = System.nanoTime();
    writeRandomWeights(c, file);
    System.out.printf("[t5-bench] wrote random weights in %.1f s%n", seconds(start));

    int tokens = Integer.getInteger("tts.benchmark.tokens", 40);
    int runs = Integer.getInteger("tts.benchmark.runs", 10);
    try (TensorSource weights = TensorSource.open(file);
        NDManager manager = NDManager.newBaseManager("PyTorch")) {
      start = System.nanoTime();
      try (T5Encoder encoder = T5Encoder.load(weights, "", c, manager, WeightFormat.FLOAT32)) {
        System.out.printf(
            "[t5-bench] load %.2f s; process RSS %s, peak %s (includes mapped file pages)%n",
            seconds(start), procStatus("VmRSS"), procStatus("VmHWM"));
        long[] ids = new SplittableRandom(1).longs(tokens, 3, 32000).toArray();
        ids[tokens - 1] = 1;
        long[] ones = new long[tokens];
        Arrays.fill(ones, 1);
        var os =
            (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
        double[] ms = new double[runs];
        double[] cpuMs = new double[runs];
        for (int r = -3; r < runs; r++) { // 3 warm-up runs
          try (NDManager request = manager.newSubManager()) {
            NDArray in = request.create(ids, new Shape(1, tokens));
            NDArray mask = request.create(ones, new Shape(1, tokens));
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            NDArray out = encoder.encode(in, mask);
            float[] host = out.toFloatArray(); // forces completion, as a consumer would
            double elapsed = (System.nanoTime() - t0) / 1e6;
            double cpu = (os.getProcessCpuTime() - cpu0) / 1e6;
            assertEquals(tokens * c.dModel(), host.length);
            assertFalse(Float.isNaN(host[0]));
            if (r >= 0) {
              ms[r] = elapsed;
              cpuMs[r] = cpu;
            }
          }
        }
        Arrays.sort(ms);
        Arrays.sort(cpuMs);
        System.out.printf(
            "[t5-bench] encode %d tokens, fp32, %d runs: wall median %.1f ms (min %.1f, max %.1f),"
                + " process cpu median %.1f ms (min %.1f); %d cores, load average %.1f%n",
            tokens,
            runs,
            ms[runs / 2],
            ms[0],
            ms[runs - 1],
            cpuMs[runs / 2],
            cpuMs[0],
            Runtime.getRuntime().availableProcessors(),
            os.getSystemLoadAverage());
      }
    }
  }

  /**
   * Four descriptions of 20 to 40 tokens: four encodes of batch 1 against one right-padded encode
   * of batch 4 (what a join of four new descriptions runs). {@code -Dtts.benchmark.batch=true}.
   */
  @Test
  @EnabledIfSystemProperty(named = "tts.benchmark.batch", matches = "true")
  void fourDescriptionsAloneVersusOnePaddedBatch() throws IOException {
    T5Config c = FLAN_T5_LARGE;
    Path file = dir.resolve("t5.safetensors");
    writeRandomWeights(c, file);
    int runs = Integer.getInteger("tts.benchmark.runs", 5);
    int[] lengths = {20, 27, 33, 40};
    SplittableRandom random = new SplittableRandom(2);
    long[][] ids = new long[lengths.length][40];
    long[][] mask = new long[lengths.length][40];
    for (int i = 0; i < lengths.length; i++) {
      for (int t = 0; t < lengths[i]; t++) {
        ids[i][t] = t == lengths[i] - 1 ? 1 : random.nextLong(3, 32000);
        mask[i][t] = 1;
      }
    }
    var os =
        (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();
    try (TensorSource weights = TensorSource.open(file);
        NDManager manager = NDManager.newBaseManager("PyTorch");
        T5Encoder encoder = T5Encoder.load(weights, "", c, manager, WeightFormat.FLOAT32)) {
      double[][] ms = new double[2][runs];
      double[][] cpuMs = new double[2][runs];
      for (int r = -2; r < runs; r++) { // 2 warm-up rounds
        for (int batched = 0; batched < 2; batched++) {
          try (NDManager request = manager.newSubManager()) {
            long cpu0 = os.getProcessCpuTime();
            long t0 = System.nanoTime();
            if (batched == 1) {
              encoder.encode(request.create(ids), request.create(mask)).toFloatArray();
            } else {
              for (int i = 0; i < lengths.length; i++) {
                long[][] one = {Arrays.copyOf(ids[i], lengths[i])};
                long[][] ones = {Arrays.copyOf(mask[i], lengths[i])};
                encoder.encode(request.create(one), request.create(ones)).toFloatArray();
              }
            }
            if (r >= 0) {
              ms[batched][r] = (System.nanoTime() - t0) / 1e6;
              cpuMs[batched][r] = (os.getProcessCpuTime() - cpu0) / 1e6;
            }
          }
        }
      }
      for (int batched = 0; batched < 2; batched++) {
        Arrays.sort(ms[batched]);
        Arrays.sort(cpuMs[batched]);
        System.out.printf(
            "[t5-bench] 4 descriptions (%s tokens), %s: wall median %.1f ms (min %.1f),"
                + " process cpu median %.1f ms; %d runs, load average %.1f%n",
            Arrays.toString(lengths),
            batched == 1 ? "one padded batch of 4" : "4 encodes of batch 1",
            ms[batched][runs / 2],
            ms[batched][0],
            cpuMs[batched][runs / 2],
            runs,
            os.getSystemLoadAverage());
      }
    }
  }

  /** Random weights with the tensor names and shapes of a T5 encoder (no prefix). */
  static void writeRandomWeights(T5Config c, Path file) throws IOException {
    SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
    long d = c.dModel();
    long inner = c.innerDim();
    long ff = c.dFf();
    float inD = (float) (1 / Math.sqrt(d));
    int seed = 0;
    add(w, "shared.weight", ++seed, 1f, c.vocabSize(), d);
    add(
        w,
        "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
        ++seed,
        0.5f,
        c.relativeAttentionNumBuckets(),
        c.numHeads());
    for (int i = 0; i < c.numLayers(); i++) {
      String b = "encoder.block." + i + ".layer.";
      for (String p : new String[] {"q", "k", "v"}) {
        add(w, b + "0.SelfAttention." + p + ".weight", ++seed, inD, inner, d);
      }
      add(w, b + "0.SelfAttention.o.weight", ++seed, (float) (1 / Math.sqrt(inner)), d, inner);
      add(w, b + "0.layer_norm.weight", -1, 1f, d);
      add(w, b + "1.DenseReluDense.wi_0.weight", ++seed, inD, ff, d);
      add(w, b + "1.DenseReluDense.wi_1.weight", ++seed, inD, ff, d);
      add(w, b + "1.DenseReluDense.wo.weight", ++seed, (float) (1 / Math.sqrt(ff)), d, ff);
      add(w, b + "1.layer_norm.weight", -1, 1f, d);
    }
    add(w, "encoder.final_layer_norm.weight", -1, 1f, d);
    w.write(file);
  }

  /**
   * Adds an F32 tensor streamed in 1 MiB chunks: uniform in [-scale, scale) from {@code seed}, or
   * all {@code scale} when the seed is negative.
   */
  private static void add(SafetensorsWriter w, String name, int seed, float scale, long... shape) {
    long count = Arrays.stream(shape).reduce(1, Math::multiplyExact);
    w.add(
        name,
        TensorType.F32,
        shape,
        out -> {
          SplittableRandom random = new SplittableRandom(seed);
          ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
          for (long i = 0; i < count; i++) {
            chunk.putFloat(seed < 0 ? scale : (float) (random.nextDouble(-1, 1) * scale));
            if (!chunk.hasRemaining()) {
              out.write(chunk.array());
              chunk.clear();
            }
          }
          out.write(chunk.array(), 0, chunk.position());
        });
  }

  /** A memory line of /proc/self/status (Linux), e.g. VmRSS. */
  private static String procStatus(String key) {
    try {
      return Files.readAllLines(Path.of("/proc/self/status")).stream()
          .filter(l -> l.startsWith(key + ":"))
          .map(l -> l.substring(key.length() + 1).trim())
          .findFirst()
          .orElse("n/a");
    } catch (IOException | RuntimeException e) {
      return "n/a";
    }
  }

  private static double seconds(long startNanos) {
    return (System.nanoTime() - startNanos) / 1e9;
  }
}
