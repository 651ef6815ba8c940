package dev.parlance.tts.core.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.parlance.tts.core.device.DeviceSelector;
import dev.parlance.tts.core.device.DtypePolicy;
import dev.parlance.tts.core.device.GpuProbe;
import dev.parlance.tts.core.generation.SamplingSettings;
import dev.parlance.tts.core.hub.ModelResolver;
import dev.parlance.tts.core.metrics.RequestObserver;
import dev.parlance.tts.core.metrics.RuntimeListener;
import dev.parlance.tts.core.model.Conditioning;
import dev.parlance.tts.core.model.ParlerModel;
import dev.parlance.tts.core.runtime.AdmissionController;
import dev.parlance.tts.core.runtime.BatchScheduler;
import dev.parlance.tts.core.runtime.ChunkedAudioStream;
import dev.parlance.tts.core.runtime.RuntimeConfig;
import dev.parlance.tts.core.runtime.StreamBuffer;
import dev.parlance.tts.core.runtime.Ticket;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.Capabilities;
import dev.parlance.tts.spi.EngineFailureException;
import dev.parlance.tts.spi.EngineHealth;
import dev.parlance.tts.spi.EngineUnavailableException;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.OverloadedException;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsException;
import dev.parlance.tts.spi.TtsRequest;
import dev.parlance.tts.spi.Voice;
import dev.parlance.tts.spi.VoiceInfo;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.OptionalLong;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ThreadLocalRandom;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parler-TTS behind the {@link TtsEngine} SPI, on the runtime's continuous batching: requests are
 * admitted by an {@link AdmissionController} (bounded in-flight and queue, {@link
 * OverloadedException} beyond), joined into a {@link BatchScheduler} whose every step advances all
 * active requests in one batched decoder pass ({@link ParlerBatchStepper}), and their audio is
 * streamed in seam-free DAC windows as frames become final. {@link AudioStream#close()} stops the
 * request within one decoder step.
 *
 * <p>Options ({@link TtsEngineConfig#options()}): the runtime's {@code max_in_flight}, {@code
 * queue_size}, {@code max_queue_wait_ms}, {@code max_batch_size} ({@link RuntimeConfig}); {@code
 * chunk_frames} (frames per streamed chunk, default 16 ≈ 186 ms), {@code default_description} (the
 * {@code default} voice), {@code warmup} (default true).
 */
public final class ParlerEngine implements TtsEngine {
  private static final Logger LOG = LoggerFactory.getLogger(ParlerEngine.class);

  /** The {@code default} voice when no option overrides it. */
  public static final String DEFAULT_DESCRIPTION =
      "A female speaker delivers a slightly expressive and animated speech with a moderate speed"
          + " and pitch. The recording is of very high quality, with the speaker's voice sounding"
          + " clear and very close up.";

  private final String modelId;
  private final ParlerModel model;
  private final AudioFormat format;
  private final Capabilities capabilities;
  private final String defaultDescription;
  private final RuntimeListener listener;
  private final AdmissionController admission;
  private final BatchScheduler<ParlerBatchStepper.Job, ParlerBatchStepper.Row, float[]> scheduler;
  private volatile boolean closed;
  private volatile boolean warm;

  private ParlerEngine(
      String modelId,
      ParlerModel model,
      TtsEngineConfig config,
      RuntimeConfig runtime,
      RuntimeListener listener) {
    this.modelId = modelId;
    this.model = model;
    this.format = AudioFormat.mono(model.dac().config().sampleRate());
    this.defaultDescription = config.option("default_description").orElse(DEFAULT_DESCRIPTION);
    this.listener = listener;
    this.admission = AdmissionController.of(runtime);
    this.scheduler =
        new BatchScheduler<>(
            new ParlerBatchStepper(model, chunkFrames(config)),
            runtime.maxBatchSize(),
            listener,
            "parler-scheduler");
    int frames =
        Math.min(model.config().generation().maxLength(), model.decoder().config().maxPositions())
            - model.decoder().config().numCodebooks();
    this.capabilities =
        new Capabilities(
            true,
            true,
            true,
            TtsRequest.MAX_TEXT_CHARS,
            Duration.ofMillis(Math.round(frames * 1000.0 / model.dac().config().frameRate())));
  }

  /**
   * Loads {@code config.model()} (a checkpoint directory, or a hub id resolved through the hub
   * cache) on the configured device and dtype.
   *
   * @throws IllegalArgumentException a setting is invalid (named in the message)
   * @throws EngineUnavailableException the model cannot be loaded
   */
  public static ParlerEngine create(TtsEngineConfig config, GpuProbe probe) {
    return create(config, probe, RuntimeListener.NONE);
  }

  /**
   * As {@link #create(TtsEngineConfig, GpuProbe)}, reporting requests and batch steps to {@code
   * listener} (e.g. the Micrometer binder).
   */
  public static ParlerEngine create(
      TtsEngineConfig config, GpuProbe probe, RuntimeListener listener) {
    Device device = DeviceSelector.select(config.device(), probe);
    DtypePolicy dtypes = DtypePolicy.resolve(config.dtype(), device, probe);
    RuntimeConfig runtime = RuntimeConfig.fromOptions(config.options()); // fail before the load
    chunkFrames(config);
    Path dir;
    try {
      dir = ModelResolver.fromEnvironment().resolve(config.model());
    } catch (RuntimeException e) {
      throw new EngineUnavailableException(
          "cannot resolve model '" + config.model() + "': " + e.getMessage(), e);
    }
    long rssBefore = ProcessMemory.residentBytes();
    long start = System.nanoTime();
    ParlerModel model;
    try {
      model = ParlerModel.load(dir, device, dtypes);
    } catch (RuntimeException e) {
      throw new EngineUnavailableException("cannot load " + dir + ": " + e.getMessage(), e);
    }
    long loadMs = (System.nanoTime() - start) / 1_000_000;
    LOG.info(
        "loaded Parler-TTS {} on {} (decoder {}, T5 {}, DAC {}) in {} ms; resident memory {} -> {}"
            + " (peak {})",
        dir.getFileName(),
        DeviceSelector.describe(device),
        dtypes.decoder(),
        dtypes.textEncoder(),
        dtypes.audioDecoder(),
        loadMs,
        ProcessMemory.mib(rssBefore),
        ProcessMemory.mib(ProcessMemory.residentBytes()),
        ProcessMemory.mib(ProcessMemory.peakResidentBytes()));
    ParlerEngine engine = new ParlerEngine(config.model(), model, config, runtime, listener);
    try {
      if (Boolean.parseBoolean(config.option("warmup").orElse("true"))) {
        engine.warmUp();
      }
    } catch (RuntimeException e) {
      engine.close();
      throw new EngineUnavailableException("warm-up failed: " + e.getMessage(), e);
    }
    engine.warm = true;
    return engine;
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

  /** A couple of decoder steps so the first request does not pay for lazy initialisation. */
  private void warmUp() {
    long start = System.nanoTime();
    int k = model.decoder().config().numCodebooks();
    SamplingSettings s =
        new SamplingSettings(
            true, 1, 0, 1, 0, Math.min(k + 2, model.config().generation().maxLength()), 0);
    try (NDManager request = model.newRequestManager()) {
      Conditioning c = model.condition(List.of(defaultDescription), List.of("Hello."), request);
      model.generate(c, s, request, null);
    }
    LOG.info("warm-up took {} ms", (System.nanoTime() - start) / 1_000_000);
  }

  @Override
  public String name() {
    return ParlerEngineProvider.NAME;
  }

  @Override
  public String modelId() {
    return modelId;
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
    return List.of(new VoiceInfo(Voice.Preset.DEFAULT, defaultDescription, OptionalLong.empty()));
  }

  @Override
  public EngineHealth health() {
    Device device = model.device();
    return new EngineHealth(
        !closed,
        DeviceSelector.describe(device),
        true,
        device.isGpu(),
        warm && !closed,
        closed
            ? "closed"
            : admission.inFlight() + " in flight, " + admission.queueDepth() + " queued");
  }

  /** Batched decoder steps run so far (tests check cancellation with it). */
  long decoderSteps() {
    return scheduler.steps();
  }

  /** Requests admitted and not yet finished. */
  int inFlight() {
    return admission.inFlight();
  }

  /** The loaded model (for benchmarks and tests). */
  public ParlerModel model() {
    return model;
  }

  @Override
  public AudioClip synthesize(TtsRequest request) {
    return stream(request).readAll();
  }

  @Override
  public AudioStream stream(TtsRequest request) {
    if (closed) {
      throw new EngineUnavailableException("engine is closed");
    }
    RequestObserver observer = RequestObserver.start(listener);
    try {
      String text = request.text().strip();
      SamplingSettings settings = settings(request.sampling());
      // a text too long for the position table fails here, not inside a shared batch join
      model.fitPositions(settings, model.tokenizers().prompt().encode(text).length);
      ParlerBatchStepper.Job job =
          new ParlerBatchStepper.Job(describe(request.voice()), text, settings);
      // admission errors (overloaded, deadline passed, closed) are thrown here, before any audio
      CompletableFuture<Ticket> admitted = admission.admit(request.id(), request.deadline());
      StreamBuffer<float[]> buffer = new StreamBuffer<>();
      buffer.onClose(() -> admitted.cancel(false)); // closed while still queued
      admitted.whenComplete(
          (ticket, error) -> {
            if (error != null) {
              Throwable cause = error instanceof CompletionException ? error.getCause() : error;
              if (!(cause instanceof CancellationException)) {
                buffer.fail(
                    cause instanceof TtsException tts
                        ? tts
                        : new EngineFailureException("admission failed", cause));
              }
              return;
            }
            observer.admitted(ticket.queueWait());
            buffer.onClose(ticket::cancel);
            try {
              scheduler.submit(job, ticket, buffer);
            } catch (TtsException e) {
              buffer.fail(e);
            }
          });
      return new ChunkedAudioStream(request, format, buffer, observer, false);
    } catch (TtsException e) {
      observer.failed(e);
      throw e;
    }
  }

  private String describe(Voice voice) {
    if (voice instanceof Voice.Described d) {
      return d.description().strip();
    }
    String name = ((Voice.Preset) voice).name();
    if (!name.equals(Voice.Preset.DEFAULT)) {
      throw new InvalidRequestException(
          "voice", "unknown voice '" + name + "'; this engine has: " + Voice.Preset.DEFAULT);
    }
    return defaultDescription;
  }

  private SamplingSettings settings(SamplingOptions o) {
    int k = model.decoder().config().numCodebooks();
    int maxLength = model.config().generation().maxLength();
    if (o.maxDuration().isPresent()) {
      double frames = o.maxDuration().get().toNanos() / 1e9 * model.dac().config().frameRate();
      maxLength = (int) Math.min(maxLength, Math.ceil(frames) + k);
    }
    long seed = o.seed().orElseGet(() -> ThreadLocalRandom.current().nextLong());
    return new SamplingSettings(
        o.greedy(),
        o.temperature(),
        o.topK(),
        o.topP(),
        seed,
        Math.max(2, maxLength),
        model.config().generation().minNewTokens());
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    try {
      scheduler.close(Duration.ofSeconds(30));
      admission.close();
    } finally {
      model.close();
    }
  }
}
