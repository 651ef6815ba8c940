package dev.parlance.tts.core.engine;

import ai.djl.Device;
import dev.parlance.tts.core.cache.DescriptionCache;
import dev.parlance.tts.core.cache.PhraseCache;
import dev.parlance.tts.core.cache.PhraseKey;
import dev.parlance.tts.core.device.DeviceMemory;
import dev.parlance.tts.core.device.DeviceSelector;
import dev.parlance.tts.core.device.DtypePolicy;
import dev.parlance.tts.core.device.GpuProbe;
import dev.parlance.tts.core.generation.SamplingSettings;
import dev.parlance.tts.core.hub.ModelResolver;
import dev.parlance.tts.core.kernel.PackedKernels;
import dev.parlance.tts.core.metrics.RequestObserver;
import dev.parlance.tts.core.metrics.RuntimeListener;
import dev.parlance.tts.core.metrics.TtsMetrics;
import dev.parlance.tts.core.model.ParlerModel;
import dev.parlance.tts.core.model.decoder.RowMemory;
import dev.parlance.tts.core.runtime.AdmissionController;
import dev.parlance.tts.core.runtime.BatchScheduler;
import dev.parlance.tts.core.runtime.ChunkedAudioStream;
import dev.parlance.tts.core.runtime.HealthMonitor;
import dev.parlance.tts.core.runtime.RowSink;
import dev.parlance.tts.core.runtime.RuntimeConfig;
import dev.parlance.tts.core.runtime.StreamBuffer;
import dev.parlance.tts.core.runtime.Ticket;
import dev.parlance.tts.core.text.LongTextPlanner;
import dev.parlance.tts.core.tokenizer.TokenBatch;
import dev.parlance.tts.core.voice.ResolvedVoice;
import dev.parlance.tts.core.voice.VoiceCatalog;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.Capabilities;
import dev.parlance.tts.spi.EngineHealth;
import dev.parlance.tts.spi.EngineUnavailableException;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsException;
import dev.parlance.tts.spi.TtsRequest;
import dev.parlance.tts.spi.VoiceInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parler-TTS behind the {@link TtsEngine} SPI, composed from the runtime (docs/runtime.md): voices
 * ({@link VoiceCatalog}), long text ({@link LongTextPlanner}), the phrase cache, admission ({@link
 * AdmissionController}), continuous batching ({@link BatchScheduler} driving a {@link
 * ParlerStepper}), the description cache, streaming ({@link ChunkedAudioStream}), health and
 * metrics.
 *
 * <p>Runtime settings come from {@link RuntimeConfig#fromOptions}; the engine's own options are
 * {@code chunk_frames} (frames per streamed block, default 16 ≈ 186 ms) and {@code
 * batch_across_rows} (default false: T5 and DAC run per row, so a request's audio is exactly what
 * it is alone; true batches them across rows, equal to float rounding only).
 */
public final class ParlerEngine implements TtsEngine {
  private static final Logger LOG = LoggerFactory.getLogger(ParlerEngine.class);
  private static final long MIN_FREE_HEAP = 32L << 20;
  // Below this much free GPU memory the engine reports not ready (allocations are about to fail).
  private static final long MIN_FREE_GPU = 256L << 20;
  private static final Duration CLOSE_TIMEOUT = Duration.ofSeconds(30);

  private final ModelSource source;
  private final ParlerModel model;
  private final RuntimeConfig runtime;
  private final AudioFormat format;
  private final Capabilities capabilities;
  private final VoiceCatalog voices;
  private final LongTextPlanner planner;
  private final PhraseCache phrases;
  private final DescriptionCache<EncodedDescription> descriptions;
  private final AdmissionController admission;
  private final ParlerStepper stepper;
  private final BatchScheduler<SynthesisJob, ParlerStepper.Row, float[]> scheduler;
  private final HealthMonitor health = new HealthMonitor(MIN_FREE_HEAP);
  private final TtsMetrics metrics; // null without Micrometer on the class path
  private final RuntimeListener listener;
  private final ThreadPoolExecutor cacheWriter;
  private volatile boolean closed;

  ParlerEngine(
      ModelSource source,
      ParlerModel model,
      RuntimeConfig runtime,
      VoiceCatalog voices,
      int chunkFrames,
      boolean batchAcrossRows,
      GpuProbe probe) {
    this.source = source;
    this.model = model;
    this.runtime = runtime;
    this.format = AudioFormat.mono(model.dac().config().sampleRate());
    this.voices = voices;
    for (String name : runtime.prewarm().voices()) {
      try {
        voices.preset(name);
      } catch (InvalidRequestException e) {
        throw new IllegalArgumentException("prewarm_voices: " + e.getMessage(), e);
      }
    }
    this.planner = new LongTextPlanner(runtime.maxTextChars());
    this.phrases = PhraseCache.of(runtime);
    this.descriptions =
        new DescriptionCache<>(
            runtime.descriptionCacheBytes(), EncodedDescription::bytes, EncodedDescription::close);
    this.admission = AdmissionController.of(runtime);
    this.stepper = new ParlerStepper(model, descriptions, chunkFrames, batchAcrossRows);
    this.metrics = micrometerPresent() ? newMetrics() : null;
    this.listener = metrics != null ? metrics : RuntimeListener.NONE;
    this.scheduler =
        new BatchScheduler<>(
            stepper,
            runtime.maxBatchSize(),
            batchMemoryBudget(model, runtime, probe),
            listener,
            "parler-decoder");
    // A cache write that cannot keep up is dropped: it is only a cache.
    this.cacheWriter =
        new ThreadPoolExecutor(
            1,
            1,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(64),
            r -> {
              Thread t = new Thread(r, "parler-phrase-cache");
              t.setDaemon(true);
              return t;
            },
            new ThreadPoolExecutor.DiscardPolicy());
    int frames = model.maxDecoderLength() - model.decoder().config().numCodebooks();
    this.capabilities =
        new Capabilities(
            true,
            true,
            true,
            runtime.maxTextChars(),
            Duration.ofMillis(Math.round(frames * 1000.0 / model.dac().config().frameRate())));
    Device device = model.device();
    health.deviceMemory(() -> probe.memory(device), device.isGpu() ? MIN_FREE_GPU : 0);
    health.modelLoaded(DeviceSelector.describe(device), device.isGpu());
  }

  /**
   * The bytes decoder rows may hold together: measured once, with the weights loaded and before any
   * row runs, because freed rows go back to PyTorch's caching allocator on a GPU (not to the
   * device's free memory), so later readings would shrink the budget with every burst.
   *
   * @throws EngineUnavailableException not even a minimal row fits
   */
  private static long batchMemoryBudget(ParlerModel model, RuntimeConfig runtime, GpuProbe probe) {
    String device = DeviceSelector.describe(model.device());
    DeviceMemory memory = probe.memory(model.device());
    if (!memory.known()) {
      LOG.warn("free memory of {} is unknown: batches are capped by max_batch_size only", device);
      return Long.MAX_VALUE;
    }
    long budget = runtime.batchMemoryBudget(memory.freeBytes());
    RowMemory rows = model.decoder().rowMemory();
    if (budget < rows.rowBytes(2, 1)) {
      throw new EngineUnavailableException(
          "no memory for decoder rows on "
              + device
              + ": "
              + ProcessMemory.mib(memory.freeBytes())
              + " free after loading, memory_reserve_bytes keeps "
              + ProcessMemory.mib(runtime.memoryReserveBytes()));
    }
    int fullLength = model.maxDecoderLength();
    long fullRow = rows.pooledRowBytes(fullLength, 1);
    LOG.info(
        "batch memory budget {} ({} of {} free on {}, less memory_reserve_bytes, times"
            + " max_batch_memory_fraction {}): {} rows of full length ({} each)",
        ProcessMemory.mib(budget),
        ProcessMemory.mib(memory.freeBytes()),
        ProcessMemory.mib(memory.totalBytes()),
        device,
        runtime.maxBatchMemoryFraction(),
        budget / fullRow,
        ProcessMemory.mib(fullRow));
    return budget;
  }

  private TtsMetrics newMetrics() {
    return TtsMetrics.builder()
        .queueDepth(admission::queueDepth)
        .inFlight(admission::inFlight)
        .activeRows(() -> scheduler.activeRows())
        .batchMemory(() -> scheduler.activeBytes(), () -> scheduler.memoryBudget())
        .cache("phrase", phrases::stats)
        .cache("description", descriptions::stats)
        .build();
  }

  private static boolean micrometerPresent() {
    try {
      Class.forName(
          "io.micrometer.core.instrument.binder.MeterBinder",
          false,
          ParlerEngine.class.getClassLoader());
      return true;
    } catch (ClassNotFoundException e) {
      return false;
    }
  }

  /**
   * Resolves {@code config.model()} with {@code resolver} (a hub id or a directory), loads it on
   * the configured device and dtype, starts the runtime and runs the pre-warm list; the engine
   * reports warm when this returns.
   *
   * @throws IllegalArgumentException a setting is invalid (named in the message)
   * @throws EngineUnavailableException the model cannot be resolved or loaded
   */
  public static ParlerEngine create(
      TtsEngineConfig config, GpuProbe probe, ModelResolver resolver) {
    RuntimeConfig runtime = RuntimeConfig.fromOptions(config.options());
    // Read before the model so that a bad voices file fails fast.
    VoiceCatalog voices = VoiceCatalog.load(runtime.voicesFile());
    int chunkFrames = chunkFrames(config);
    Device device = DeviceSelector.select(config.device(), probe);
    DtypePolicy dtypes = DtypePolicy.resolve(config.dtype(), device, probe);
    ModelSource source = ModelSource.resolve(config.model(), resolver);
    boolean batchAcrossRows = batchAcrossRows(config);
    ParlerEngine engine =
        onOwnThread(
            () -> {
              ParlerModel model = load(source, device, dtypes);
              try {
                return new ParlerEngine(
                    source, model, runtime, voices, chunkFrames, batchAcrossRows, probe);
              } catch (RuntimeException e) {
                model.close();
                throw e;
              }
            });
    try {
      engine.prewarm();
    } catch (RuntimeException e) {
      engine.close();
      throw new EngineUnavailableException("pre-warming failed: " + e.getMessage(), e);
    }
    return engine;
  }

  private static ParlerModel load(ModelSource source, Device device, DtypePolicy dtypes) {
    long rssBefore = ProcessMemory.residentBytes();
    long start = System.nanoTime();
    ParlerModel model;
    try {
      model = ParlerModel.load(source.directory(), source.descriptionTokenizer(), device, dtypes);
    } catch (RuntimeException e) {
      throw new EngineUnavailableException(
          "cannot load " + source.directory() + ": " + e.getMessage(), e);
    }
    LOG.info(
        "loaded Parler-TTS {} ({}) on {} (decoder {} by {}, T5 {}, DAC {}) in {} ms; resident"
            + " memory {} -> {}",
        source.modelId(),
        source.revision(),
        DeviceSelector.describe(device),
        dtypes.decoderWeights(),
        PackedKernels.on(device).kernel(dtypes.decoderWeights()),
        dtypes.textEncoderWeights(),
        dtypes.audioDecoder(),
        (System.nanoTime() - start) / 1_000_000,
        ProcessMemory.mib(rssBefore),
        ProcessMemory.mib(ProcessMemory.residentBytes()));
    return model;
  }

  /**
   * Runs {@code task} on a new thread and waits for it; the thread then ends.
   *
   * <p>Why: libtorch's OpenMP runtime (libgomp) gives each thread that starts parallel work its own
   * team of worker threads, for as long as that thread lives. While a second team exists, small ops
   * on every thread get 3-4x slower on a 2-core CPU. Measured there: a full-size decoder step on
   * the scheduler thread took 65-75 ms while the loading thread lived, 45 ms once it had ended. So
   * loading runs here, and every later native op runs on the scheduler thread.
   */
  private static <T> T onOwnThread(Supplier<T> task) {
    AtomicReference<T> result = new AtomicReference<>();
    AtomicReference<Throwable> failure = new AtomicReference<>();
    Thread thread =
        new Thread(
            () -> {
              try {
                result.set(task.get());
              } catch (Throwable t) { // handed to the caller below
                failure.set(t);
              }
            },
            "parler-load");
    thread.start();
    boolean interrupted = false;
    while (true) {
      try {
        thread.join();
        break;
      } catch (InterruptedException e) {
        interrupted = true; // the load cannot be abandoned half-way; wait, then re-flag
      }
    }
    if (interrupted) {
      Thread.currentThread().interrupt();
    }
    Throwable t = failure.get();
    if (t instanceof RuntimeException e) {
      throw e;
    }
    if (t instanceof Error e) {
      throw e;
    }
    if (t != null) {
      throw new IllegalStateException(t);
    }
    return result.get();
  }

  private static int chunkFrames(TtsEngineConfig config) {
    String v = config.option("chunk_frames").orElse("16").trim();
    try {
      int n = Integer.parseInt(v);
      if (n >= 1) {
        return n;
      }
    } catch (NumberFormatException e) {
      // reported below
    }
    throw new IllegalArgumentException("chunk_frames must be an integer >= 1, got '" + v + "'");
  }

  private static boolean batchAcrossRows(TtsEngineConfig config) {
    String v = config.option("batch_across_rows").orElse("false").trim();
    if (v.equalsIgnoreCase("true") || v.equalsIgnoreCase("false")) {
      return Boolean.parseBoolean(v);
    }
    throw new IllegalArgumentException("batch_across_rows must be true or false, got '" + v + "'");
  }

  /**
   * Synthesises the pre-warm list (into the phrase cache), or one short utterance when there is
   * none, so the JIT, the native kernels and the allocator are warm; then reports warm.
   */
  private void prewarm() {
    long start = System.nanoTime();
    List<TtsRequest> requests = runtime.prewarm().requests(SamplingOptions.DEFAULT);
    if (requests.isEmpty()) {
      requests =
          List.of(
              TtsRequest.builder()
                  .id("warm-up")
                  .text("Hello.")
                  .sampling(
                      SamplingOptions.builder()
                          .greedy(true)
                          .maxDuration(Duration.ofMillis(100))
                          .build())
                  .build());
    }
    for (TtsRequest r : requests) {
      synthesize(r);
    }
    health.warm();
    LOG.info(
        "warm after {} ms ({} pre-warm request(s))",
        (System.nanoTime() - start) / 1_000_000,
        requests.size());
  }

  @Override
  public String name() {
    return ParlerEngineProvider.NAME;
  }

  @Override
  public String modelId() {
    return source.modelId();
  }

  /** The resolved revision: the hub commit, or a fingerprint of a local directory. */
  public String revision() {
    return source.revision();
  }

  @Override
  public AudioFormat audioFormat() {
    return format;
  }

  @Override
  public Capabilities capabilities() {
    return capabilities;
  }

  @Override
  public List<VoiceInfo> voices() {
    return voices.infos();
  }

  @Override
  public EngineHealth health() {
    return health.snapshot();
  }

  /**
   * The engine's meters, to bind to the host's registry: {@code engine.metrics().bindTo(registry)}.
   * Micrometer is optional; without it on the class path the engine runs unmetered.
   *
   * @throws IllegalStateException Micrometer is not on the class path
   */
  public TtsMetrics metrics() {
    if (metrics == null) {
      throw new IllegalStateException("Micrometer (micrometer-core) is not on the class path");
    }
    return metrics;
  }

  /** The loaded model (benchmarks and tests). */
  public ParlerModel model() {
    return model;
  }

  /** Batched decoder steps run so far (one per step, whatever its number of rows). */
  long batchedSteps() {
    return scheduler.steps();
  }

  /** Decoder steps taken by requests so far (a batched step over r rows counts r). */
  long decoderSteps() {
    return stepper.rowSteps();
  }

  /** The decoder memory a request's row would hold (tests). */
  long rowBytes(TtsRequest request) {
    ResolvedVoice voice = voices.resolve(request.voice(), request.sampling());
    return stepper.rowBytes(job(voice, planner.plan(request.text())));
  }

  /** Bytes decoder rows may hold together ({@link Long#MAX_VALUE}: unbounded). */
  long batchMemoryBudget() {
    return scheduler.memoryBudget();
  }

  /** Requests holding an admission slot now. */
  int inFlight() {
    return admission.inFlight();
  }

  /** The phrase cache (tests). */
  PhraseCache phraseCache() {
    return phrases;
  }

  @Override
  public AudioClip synthesize(TtsRequest request) {
    try (AudioStream stream = stream(request)) {
      return stream.readAll();
    }
  }

  @Override
  public AudioStream stream(TtsRequest request) {
    RequestObserver observer = RequestObserver.start(listener);
    try {
      if (closed) {
        throw new EngineUnavailableException("engine is closed");
      }
      ResolvedVoice voice = voices.resolve(request.voice(), request.sampling());
      List<String> chunks = planner.plan(request.text());
      SamplingOptions sampling = voice.sampling();
      PhraseKey key = null;
      if (phrases.cacheable(sampling)) {
        key =
            PhraseKey.of(
                String.join(" ", chunks),
                voice.description(),
                sampling,
                source.modelId(),
                source.revision());
        Optional<AudioClip> hit = phrases.get(key);
        if (hit.isPresent()) {
          return ChunkedAudioStream.ofClip(request, hit.get(), observer);
        }
      }
      SynthesisJob job = job(voice, chunks);
      long rowBytes = rowBytes(job);
      Ticket ticket = admission.acquire(request.id(), request.deadline());
      observer.admitted(ticket.queueWait());
      StreamBuffer<float[]> buffer = new StreamBuffer<>();
      buffer.onClose(ticket::cancel);
      RowSink<float[]> sink =
          key == null ? buffer : new CachingSink(buffer, phrases, key, format, cacheWriter);
      scheduler.submit(job, rowBytes, ticket, sink);
      return new ChunkedAudioStream(request, format, buffer, observer, false);
    } catch (TtsException e) {
      observer.failed(e);
      throw e;
    }
  }

  /**
   * Tokenizes every chunk on the caller's thread and fixes its settings: one seed for all chunks
   * (the request's, the preset's, else a random one), and a length cap from the request's maximum
   * duration, the chunk's plausible length and the decoder's position table.
   *
   * @throws InvalidRequestException ({@code text}) a chunk leaves no room for audio
   */
  private SynthesisJob job(ResolvedVoice voice, List<String> chunks) {
    SamplingOptions o = voice.sampling();
    long seed = o.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
    int k = model.decoder().config().numCodebooks();
    double frameRate = model.dac().config().frameRate();
    List<SynthesisJob.Chunk> out = new ArrayList<>(chunks.size());
    for (String chunk : chunks) {
      Duration cap = LongTextPlanner.maxAudioFor(chunk);
      if (o.maxDuration().isPresent() && o.maxDuration().get().compareTo(cap) < 0) {
        cap = o.maxDuration().get();
      }
      int frames = (int) Math.ceil(cap.toNanos() / 1e9 * frameRate);
      int maxLength = Math.max(2, Math.min(model.config().generation().maxLength(), frames + k));
      SamplingSettings settings =
          new SamplingSettings(
              o.greedy(),
              o.temperature(),
              o.topK(),
              o.topP(),
              seed,
              maxLength,
              model.config().generation().minNewTokens());
      TokenBatch prompt = model.tokenizers().encodePrompts(List.of(chunk));
      out.add(
          new SynthesisJob.Chunk(prompt, model.fitPositions(settings, prompt.mask()[0].length)));
    }
    return new SynthesisJob(voice.description(), out, chunks.size() > 1);
  }

  /**
   * The job's row memory.
   *
   * @throws InvalidRequestException ({@code max_duration}) the row could never fit the batch memory
   *     budget, even alone
   */
  private long rowBytes(SynthesisJob job) {
    long bytes = stepper.rowBytes(job);
    if (bytes > scheduler.memoryBudget()) {
      int maxLength = job.chunks().stream().mapToInt(c -> c.settings().maxLength()).max().orElse(0);
      throw new InvalidRequestException(
          "max_duration",
          "decoding up to "
              + maxLength
              + " steps needs "
              + size(bytes)
              + " of decoder memory, more than this device's batch memory budget of "
              + size(scheduler.memoryBudget())
              + "; ask for a shorter max_duration");
    }
    return bytes;
  }

  private static String size(long bytes) {
    return bytes < 1 << 20 ? bytes + " bytes" : String.format("%.1f MiB", bytes / 1048576.0);
  }

  /**
   * Refuses new requests, fails running and waiting ones with {@link EngineUnavailableException},
   * and frees the model.
   */
  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    health.closing("closed");
    admission.close();
    if (!scheduler.close(CLOSE_TIMEOUT)) {
      LOG.warn("the decoder thread did not stop within {}", CLOSE_TIMEOUT);
    }
    cacheWriter.shutdown();
    try {
      cacheWriter.awaitTermination(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    descriptions.close();
    model.close();
  }
}
