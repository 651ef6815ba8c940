package dev.parlance.tts.core.engine;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.parlance.tts.core.device.DeviceSelector;
import dev.parlance.tts.core.device.DtypePolicy;
import dev.parlance.tts.core.device.GpuProbe;
import dev.parlance.tts.core.generation.Generation;
import dev.parlance.tts.core.generation.SamplingSettings;
import dev.parlance.tts.core.model.Conditioning;
import dev.parlance.tts.core.model.ParlerModel;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.CancelledException;
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
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Parler-TTS behind the {@link TtsEngine} SPI. Each request runs on a worker thread in its own
 * NDManager scope: description and transcript are encoded, the decoder generates frames and audio
 * is streamed in seam-free DAC windows as frames become final. {@link AudioStream#close()} stops
 * the request after the current decoder step.
 *
 * <p>Options ({@link TtsEngineConfig#options()}): {@code max_concurrency} (requests decoding at
 * once, default 1), {@code max_queue} (admitted requests waiting, default 8; beyond that {@link
 * OverloadedException}), {@code chunk_frames} (frames per streamed chunk, default 16 ≈ 186 ms),
 * {@code default_description} (the {@code default} voice), {@code warmup} (default true).
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
  private final int chunkFrames;
  private final int maxConcurrency;
  private final int maxQueue;
  private final Semaphore permits;
  private final ExecutorService workers;
  private final Set<ParlerAudioStream> active = ConcurrentHashMap.newKeySet();
  private final AtomicLong decoderSteps = new AtomicLong();
  private volatile boolean closed;
  private volatile boolean warm;

  private ParlerEngine(String modelId, ParlerModel model, TtsEngineConfig config) {
    this.modelId = modelId;
    this.model = model;
    this.format = AudioFormat.mono(model.dac().config().sampleRate());
    this.defaultDescription = config.option("default_description").orElse(DEFAULT_DESCRIPTION);
    this.chunkFrames = intOption(config, "chunk_frames", 16, 1);
    this.maxConcurrency = intOption(config, "max_concurrency", 1, 1);
    this.maxQueue = intOption(config, "max_queue", 8, 0);
    this.permits = new Semaphore(maxConcurrency + maxQueue);
    AtomicInteger n = new AtomicInteger();
    this.workers =
        Executors.newFixedThreadPool(
            maxConcurrency,
            r -> {
              Thread t = new Thread(r, "parler-worker-" + n.incrementAndGet());
              t.setDaemon(true);
              return t;
            });
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
   * Loads the checkpoint directory {@code config.model()} on the configured device and dtype.
   *
   * @throws IllegalArgumentException a setting is invalid (named in the message)
   * @throws EngineUnavailableException the model cannot be loaded
   */
  public static ParlerEngine create(TtsEngineConfig config, GpuProbe probe) {
    Device device = DeviceSelector.select(config.device(), probe);
    DtypePolicy dtypes = DtypePolicy.resolve(config.dtype(), device, probe);
    Path dir = Path.of(config.model());
    if (!Files.isDirectory(dir)) {
      throw new EngineUnavailableException(
          "model '" + config.model() + "' is not a local checkpoint directory");
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
    ParlerEngine engine = new ParlerEngine(dir.toString(), model, config);
    if (Boolean.parseBoolean(config.option("warmup").orElse("true"))) {
      engine.warmUp();
    }
    engine.warm = true;
    return engine;
  }

  private static int intOption(TtsEngineConfig config, String key, int fallback, int min) {
    String v = config.option(key).orElse(null);
    if (v == null) {
      return fallback;
    }
    try {
      int n = Integer.parseInt(v.trim());
      if (n < min) {
        throw new IllegalArgumentException(key + " must be >= " + min + ", got " + n);
      }
      return n;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(key + " must be an integer, got '" + v + "'");
    }
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
        closed ? "closed" : active.size() + " request(s) in flight");
  }

  /** Decoder steps run for requests so far (tests check cancellation with it). */
  long decoderSteps() {
    return decoderSteps.get();
  }

  /** Requests admitted and not yet finished. */
  int inFlight() {
    return active.size();
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
    String description = describe(request.voice());
    SamplingSettings settings = settings(request.sampling());
    if (request.deadline().isPresent() && !Instant.now().isBefore(request.deadline().get())) {
      throw new CancelledException("deadline already passed", true);
    }
    if (!permits.tryAcquire()) {
      throw new OverloadedException(
          "parler engine is at capacity (" + maxConcurrency + " running, " + maxQueue + " queued)",
          Duration.ofSeconds(1));
    }
    ParlerAudioStream stream = new ParlerAudioStream(request, format, permits::release);
    active.add(stream);
    try {
      workers.execute(() -> run(stream, request, description, settings));
    } catch (RuntimeException e) {
      active.remove(stream);
      stream.release();
      throw new EngineUnavailableException("engine is shutting down", e);
    }
    return stream;
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

  /** Caps max_length so prompt plus audio fit the decoder's position table. */
  private SamplingSettings fitPositions(SamplingSettings s, int promptLength) {
    int room = model.decoder().config().maxPositions() - promptLength;
    int k = model.decoder().config().numCodebooks();
    if (room < k + 2) {
      throw new InvalidRequestException(
          "text",
          "text is "
              + promptLength
              + " tokens; the model's "
              + model.decoder().config().maxPositions()
              + " positions leave no room for audio");
    }
    return s.maxLength() <= room
        ? s
        : new SamplingSettings(
            s.greedy(), s.temperature(), s.topK(), s.topP(), s.seed(), room, s.minNewTokens());
  }

  private void run(
      ParlerAudioStream stream, TtsRequest request, String description, SamplingSettings s) {
    try (NDManager scope = model.newRequestManager()) {
      if (stream.cancelled()) {
        return;
      }
      Conditioning c =
          model.condition(List.of(description), List.of(request.text().strip()), scope);
      s = fitPositions(s, c.promptLength());
      int codebooks = model.decoder().config().numCodebooks();
      StreamingAudioDecoder audio =
          new StreamingAudioDecoder(model.dac(), chunkFrames, model.config().codebookSize());
      Generation g =
          model.generate(
              c,
              s,
              scope,
              (gen, logits) -> {
                decoderSteps.incrementAndGet();
                if (stream.cancelled()) {
                  throw new CancellationException("stream closed");
                }
                if (request.deadline().isPresent()
                    && Instant.now().isAfter(request.deadline().get())) {
                  throw new CancelledException("deadline passed during synthesis", true);
                }
                if (audio.due(gen.length() - codebooks)) {
                  stream.publish(audio.next(gen.completeFrames(0)), false);
                }
              });
      stream.publish(audio.finish(g.codes()[0]), true);
    } catch (CancellationException e) {
      LOG.debug("request {} cancelled", request.id());
    } catch (TtsException e) {
      stream.fail(e);
    } catch (IllegalArgumentException e) {
      stream.fail(new InvalidRequestException("text", e.getMessage()));
    } catch (RuntimeException | Error e) {
      LOG.error("request {} failed", request.id(), e);
      stream.fail(new EngineFailureException("synthesis failed: " + e.getMessage(), e));
    } finally {
      active.remove(stream);
      stream.release();
    }
  }

  @Override
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    active.forEach(ParlerAudioStream::close);
    workers.shutdown();
    try {
      if (!workers.awaitTermination(30, java.util.concurrent.TimeUnit.SECONDS)) {
        workers.shutdownNow();
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    model.close();
  }
}
