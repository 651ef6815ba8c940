package dev.parlance.tts.core.model.dac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.parlance.tts.core.checkpoint.SafetensorsWriter;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.checkpoint.TensorType;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * Decode time of the full-size 44.1 kHz DAC (latent 1024, decoder 1536, rates 8-8-4-2, 9 x 1024 x 8
 * codebooks) with random weights in the descript weight-norm layout, written to a temp dir.
 *
 * <p>Run: {@code mvn -B -o -pl tts-core -am test -Dtest=DacDecoderBenchmarkTest
 * -Dsurefire.failIfNoSpecifiedTests=false -DargLine="-Ddac.bench=true ..."} or set {@code
 * dac.bench} via {@code djl.test.argLine}. Optional: {@code dac.bench.frames} (default 173, i.e. 2
 * s), {@code dac.bench.runs} (default 5), {@code dac.bench.threads} (torch intra-op threads),
 * {@code dac.bench.tile} (time-tile elements of the decoder blocks).
 */
@EnabledIfSystemProperty(named = "dac.bench", matches = "true")
class DacDecoderBenchmarkTest {
  private static final String ROOT = "audio_encoder.model.";
  private static final int[] RATES = {8, 8, 4, 2};

  @TempDir Path tmp;

  private static void conv(
      SafetensorsWriter w,
      SplittableRandom random,
      String module,
      long out,
      long in,
      long k,
      float gain) {
    float[] g = new float[(int) out];
    Arrays.fill(g, gain);
    w.addFloats(module + ".weight_g", new long[] {out, 1, 1}, g);
    random(w, random, module + ".weight_v", new long[] {out, in, k}, 1f, 0f);
    random(w, random, module + ".bias", new long[] {in == out || k != 1 ? out : out}, 0.01f, 0f);
  }

  /** Uniform values in [offset - scale, offset + scale], streamed into the file. */
  private static void random(
      SafetensorsWriter w,
      SplittableRandom random,
      String name,
      long[] shape,
      float scale,
      float offset) {
    long n = 1;
    for (long d : shape) {
      n *= d;
    }
    long count = n;
    long seed = random.nextLong();
    w.add(
        name,
        TensorType.F32,
        shape,
        out -> {
          SplittableRandom r = new SplittableRandom(seed);
          ByteBuffer b = ByteBuffer.allocate(1 << 16).order(ByteOrder.LITTLE_ENDIAN);
          for (long i = 0; i < count; i++) {
            if (!b.hasRemaining()) {
              out.write(b.array(), 0, b.position());
              b.clear();
            }
            b.putFloat(offset + scale * (float) (2 * r.nextDouble() - 1));
          }
          out.write(b.array(), 0, b.position());
        });
  }

  private Path writeFullSizeDac() throws IOException {
    SplittableRandom random = new SplittableRandom(42);
    SafetensorsWriter w = new SafetensorsWriter().metadata("format", "pt");
    for (int q = 0; q < 9; q++) {
      String p = ROOT + "quantizer.quantizers." + q + ".";
      random(w, random, p + "codebook.weight", new long[] {1024, 8}, 1f, 0f);
      conv(w, random, p + "out_proj", 1024, 8, 1, 1f);
    }
    long channels = 1536;
    conv(w, random, ROOT + "decoder.model.0", channels, 1024, 7, 1f);
    for (int b = 0; b < RATES.length; b++) {
      String block = ROOT + "decoder.model." + (b + 1) + ".block.";
      long out = channels / 2;
      random(w, random, block + "0.alpha", new long[] {1, channels, 1}, 0.2f, 1f);
      float[] g = new float[(int) channels];
      Arrays.fill(g, 1f);
      w.addFloats(block + "1.weight_g", new long[] {channels, 1, 1}, g);
      random(w, random, block + "1.weight_v", new long[] {channels, out, 2L * RATES[b]}, 1f, 0f);
      random(w, random, block + "1.bias", new long[] {out}, 0.01f, 0f);
      for (int u = 0; u < 3; u++) {
        String unit = block + (u + 2) + ".block.";
        random(w, random, unit + "0.alpha", new long[] {1, out, 1}, 0.2f, 1f);
        conv(w, random, unit + "1", out, out, 7, 0.5f);
        random(w, random, unit + "2.alpha", new long[] {1, out, 1}, 0.2f, 1f);
        conv(w, random, unit + "3", out, out, 1, 0.5f);
      }
      channels = out;
    }
    random(w, random, ROOT + "decoder.model.5.alpha", new long[] {1, channels, 1}, 0.2f, 1f);
    conv(w, random, ROOT + "decoder.model.6", 1, channels, 7, 0.1f);
    Path file = tmp.resolve("dac-44khz-random.safetensors");
    w.write(file);
    return file;
  }

  /** CPU time of the whole process (all torch threads): robust to other load on the machine. */
  private static long cpuNanos() {
    return ((com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean())
        .getProcessCpuTime();
  }

  @Test
  void fullSizeDecode() throws IOException {
    int frames = Integer.getInteger("dac.bench.frames", 173);
    int runs = Integer.getInteger("dac.bench.runs", 5);
    long t0 = System.nanoTime();
    Path file = writeFullSizeDac();
    long t1 = System.nanoTime();
    try (NDManager manager = NDManager.newBaseManager("PyTorch");
        TensorSource weights = TensorSource.open(file)) {
      long t2 = System.nanoTime();
      try (DacDecoder dac = DacDecoder.load(weights, "audio_encoder.", manager, DataType.FLOAT32)) {
        long t3 = System.nanoTime();
        Integer threads = Integer.getInteger("dac.bench.threads");
        if (threads != null) {
          ai.djl.pytorch.jni.JniUtils.setNumThreads(threads);
        }
        Long tile = Long.getLong("dac.bench.tile");
        if (tile != null) {
          dac.tileElements(tile);
        }
        DacConfig config = dac.config();
        assertEquals(512, config.hopLength());
        assertEquals(1536, config.decoderDim());
        System.out.printf(
            "DAC bench: %s%n  layout %s, receptive field %s (frames %d/%d)%n  write %.0f ms, load+fold %.0f ms, torch threads %d%n",
            config,
            dac.layout(),
            dac.receptiveField(),
            dac.receptiveField().leftFrames(),
            dac.receptiveField().rightFrames(),
            (t1 - t0) / 1e6,
            (t3 - t2) / 1e6,
            ai.djl.pytorch.jni.JniUtils.getNumThreads());
        SplittableRandom random = new SplittableRandom(7);
        long[] ids = new long[9 * frames];
        for (int i = 0; i < ids.length; i++) {
          ids[i] = random.nextInt(1024);
        }
        double[] ms = new double[runs + 1];
        double[] cpu = new double[runs + 1];
        for (int r = 0; r <= runs; r++) {
          try (NDManager scope = manager.newSubManager()) {
            NDArray codes = scope.create(ids, new Shape(1, 9, frames));
            long s = System.nanoTime();
            long c = cpuNanos();
            NDArray audio = dac.decode(codes);
            float[] samples = audio.toFloatArray();
            ms[r] = (System.nanoTime() - s) / 1e6;
            cpu[r] = (cpuNanos() - c) / 1e6;
            assertEquals(frames * 512, samples.length);
            for (float v : samples) {
              assertTrue(Float.isFinite(v) && Math.abs(v) <= 1f);
            }
          }
        }
        double[] measured = Arrays.copyOfRange(ms, 1, ms.length);
        double[] measuredCpu = Arrays.copyOfRange(cpu, 1, cpu.length);
        Arrays.sort(measured);
        Arrays.sort(measuredCpu);
        System.out.printf(
            "  decode %d frames (%.2f s audio): first %.0f ms; wall min %.0f / median %.0f ms,"
                + " process CPU min %.0f / median %.0f ms over %d runs; load average %.1f%n",
            frames,
            frames / config.frameRate(),
            ms[0],
            measured[0],
            measured[runs / 2],
            measuredCpu[0],
            measuredCpu[runs / 2],
            runs,
            ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage());
        // Streaming: frames pushed one by one, as generation completes them.
        for (int chunk : new int[] {16, 43}) {
          DacStreamDecoder stream = new DacStreamDecoder(dac, chunk);
          long s = System.nanoTime();
          long c = cpuNanos();
          long emitted = 0;
          int emissions = 0;
          for (int t = 0; t < frames; t++) {
            long[] frame = new long[9];
            for (int k = 0; k < 9; k++) {
              frame[k] = ids[k * frames + t];
            }
            int n = stream.push(new long[][] {frame}).length;
            emissions += n > 0 ? 1 : 0;
            emitted += n;
          }
          emitted += stream.finish().length;
          stream.close();
          assertEquals((long) frames * 512, emitted);
          System.out.printf(
              "  stream chunk %d frames: %d emissions + finish, wall %.0f ms, process CPU %.0f ms%n",
              chunk, emissions, (System.nanoTime() - s) / 1e6, (cpuNanos() - c) / 1e6);
        }
        // Four rows streaming in step: each stream decoding its own windows, then the four due
        // windows of a step as one batch (as the stepper does).
        int rows = 4;
        int chunk = 16;
        for (boolean batched : new boolean[] {false, true, false, true}) {
          List<DacStreamDecoder> streams = new ArrayList<>();
          for (int i = 0; i < rows; i++) {
            streams.add(new DacStreamDecoder(dac, chunk));
          }
          long s = System.nanoTime();
          long c = cpuNanos();
          long passes = dac.streamingPasses();
          long emitted = 0;
          for (int t = 0; t < frames; t++) {
            for (int i = 0; i < rows; i++) {
              long[] frame = new long[9];
              for (int k = 0; k < 9; k++) {
                frame[k] = ids[k * frames + (t + 7 * i) % frames];
              }
              if (batched) {
                streams.get(i).offer(new long[][] {frame});
              } else {
                emitted += streams.get(i).push(new long[][] {frame}).length;
              }
            }
            if (batched) {
              for (float[] a : DacStreamDecoder.decodeDue(streams)) {
                emitted += a.length;
              }
            }
          }
          double wallMs = (System.nanoTime() - s) / 1e6;
          double cpuMs = (cpuNanos() - c) / 1e6;
          passes = dac.streamingPasses() - passes;
          for (DacStreamDecoder stream : streams) {
            emitted += stream.finish().length;
            stream.close();
          }
          assertEquals((long) rows * frames * 512, emitted);
          System.out.printf(
              "  %d streams, chunk %d, %s: before finish wall %.0f ms, process CPU %.0f ms,"
                  + " %d layer passes%n",
              rows,
              chunk,
              batched ? "batched windows" : "one window at a time",
              wallMs,
              cpuMs,
              passes);
        }
      }
    }
  }
}
