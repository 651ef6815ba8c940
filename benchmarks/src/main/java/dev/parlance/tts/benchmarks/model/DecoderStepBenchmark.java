package dev.parlance.tts.benchmarks.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.parlance.tts.benchmarks.BenchDevice;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.checkpoint.WeightReader;
import dev.parlance.tts.core.generation.SamplingRows;
import dev.parlance.tts.core.generation.SamplingSettings;
import dev.parlance.tts.core.generation.TokenSampler;
import dev.parlance.tts.core.kernel.WeightFormat;
import dev.parlance.tts.core.model.ParlerConfig;
import dev.parlance.tts.core.model.decoder.CachePositions;
import dev.parlance.tts.core.model.decoder.DecoderConfig;
import dev.parlance.tts.core.model.decoder.KvCache;
import dev.parlance.tts.core.model.decoder.KvPool;
import dev.parlance.tts.core.model.decoder.ParlerDecoder;
import java.util.Arrays;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * One decoder step with KV cache on the full-size mini-v1 decoder, cross-attending to a 40-token
 * description: 9 token ids per row in ({@code ParlerDecoder.step}), and the next 9 out, chosen on
 * the device from the (B*9, 1088) logits with the checkpoint's sampling settings (top-k 50).
 *
 * <p>{@code variant} = weights/batch/position: the decoder's weight format (the engine's {@code
 * dtype} setting), then the step writes cache slot {@code position} and attends to {@code position
 * + 1} self keys. Only the combinations worth their minutes are listed (float16 at batch 1 only: on
 * a CPU without fp16 arithmetic it is slow). A {@code /rows} suffix steps {@code batch} independent
 * requests through {@code stepRows} over a {@link KvPool} (continuous batching) instead of one
 * batch sharing one cache.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MILLISECONDS)
@Warmup(iterations = 2, time = 2)
@Measurement(iterations = 3, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx2g", "-Dai.djl.offline=true"})
public class DecoderStepBenchmark {

  @Param({
    "float32/1/16",
    "float32/1/1024",
    "float32/4/16",
    "float32/4/1024",
    "float32/8/16",
    "float32/8/1024",
    "float16/1/16",
    "float16/1/1024",
    "bfloat16/1/16",
    "bfloat16/8/16",
    "int8/1/16",
    "int8/1/1024",
    "int8/8/16",
    "float32/1/16/rows",
    "float32/8/16/rows",
    "float32/8/1024/rows",
    "int8/1/16/rows",
    "int8/8/16/rows"
  })
  public String variant;

  private NDManager manager;
  private ParlerDecoder decoder;
  private KvCache[] caches;
  private KvPool pool; // null unless /rows
  private long[] ids;
  private int position;
  private TokenSampler sampler;
  private SamplingSettings sampling;
  private SplittableRandom draws;
  private int eos;

  @Setup(Level.Trial)
  public void setUp() {
    String[] v = variant.split("/");
    WeightFormat weights = BenchDevice.weights(v[0]);
    int batch = Integer.parseInt(v[1]);
    position = Integer.parseInt(v[2]);
    manager = NDManager.newBaseManager(BenchDevice.get());
    ParlerConfig config = BenchModel.config();
    sampler = TokenSampler.on(manager.getDevice());
    sampling = SamplingSettings.from(config.generation(), 0);
    draws = new SplittableRandom(1);
    eos = config.generation().eosTokenId();
    try (TensorSource source = BenchModel.weights()) {
      DecoderConfig dc = ParlerDecoder.detectLayout(source, "decoder.", config.decoder());
      decoder = ParlerDecoder.load(new WeightReader(source, manager, weights), "decoder.", dc);
    }
    int s = BenchModel.DESCRIPTION_TOKENS;
    long h = decoder.config().hiddenSize();
    NDArray states;
    try (NDArray f32 = manager.randomNormal(new Shape(batch, s, h))) {
      states = f32.toType(weights.activations(), true);
    }
    boolean rows = v.length > 3 && v[3].equals("rows");
    int cacheBatch = rows ? 1 : batch;
    caches = new KvCache[rows ? batch : 1];
    for (int i = 0; i < caches.length; i++) {
      long[][] descriptionMask = new long[cacheBatch][s];
      for (long[] row : descriptionMask) {
        Arrays.fill(row, 1);
      }
      NDArray own = rows ? states.get(i + ":" + (i + 1)) : states;
      caches[i] =
          decoder.newCache(
              own, descriptionMask, new long[cacheBatch][0], position + 2, manager.newSubManager());
      CachePositions.zero(caches[i]);
    }
    pool = rows ? decoder.newPool(manager.newSubManager()) : null;
    int k = decoder.config().numCodebooks();
    ids = new long[batch * k];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = (i * 131) % config.codebookSize();
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    for (KvCache cache : caches) {
      cache.close();
    }
    if (pool != null) {
      pool.close();
    }
    manager.close();
  }

  @Benchmark
  public long[] step() {
    for (KvCache cache : caches) {
      CachePositions.rewind(cache, position);
    }
    SamplingRows rows = new SamplingRows(ids.length, decoder.config().vocabSize());
    for (int r = 0; r < ids.length; r++) {
      rows.sample(r, sampling, draws.nextDouble(), false);
    }
    try (NDManager step = manager.newSubManager()) {
      // the first rows step moves the caches into the pool; later ones find them there
      NDArray logits =
          pool == null
              ? decoder.step(caches[0], null, ids, 1, step)
              : decoder.stepRows(pool, caches, ids, step);
      return sampler.choose(logits, rows, eos);
    }
  }
}
