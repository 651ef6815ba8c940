package dev.parlance.tts.livekit.engine;

import dev.parlance.tts.core.audio.Resampler;
import dev.parlance.tts.livekit.ChunkedStream;
import dev.parlance.tts.livekit.ConnOptions;
import dev.parlance.tts.livekit.SynthesizeStream;
import dev.parlance.tts.livekit.Tts;
import dev.parlance.tts.livekit.TtsCapabilities;
import dev.parlance.tts.livekit.TtsError;
import dev.parlance.tts.livekit.TtsListener;
import dev.parlance.tts.livekit.TtsMetrics;
import dev.parlance.tts.livekit.audio.FrameAssembler;
import dev.parlance.tts.livekit.text.StreamingSentenceSplitter;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsRequest;
import dev.parlance.tts.spi.Voice;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link TtsEngine} running in this JVM, seen as a LiveKit Agents TTS: LLM text goes in, frames
 * come straight out of the engine, with no HTTP in between.
 *
 * <pre>{@code
 * try (TtsEngine engine = TtsEngines.load("parler", config);
 *     Tts tts = EngineTts.builder(engine).sampleRate(48_000).build();
 *     SynthesizeStream stream = tts.stream()) {
 *   llmTokens.forEach(stream::pushText);
 *   stream.endInput();
 *   stream.forEachRemaining(audio -> output.captureFrame(audio.frame()));
 * }
 * }</pre>
 *
 * <p>Every stream runs its own producer thread; the engine bounds concurrency itself and refuses
 * excess work with {@link dev.parlance.tts.spi.OverloadedException}, which is retried per {@link
 * ConnOptions}. Closing the TTS cancels its open streams but does not close the engine, which the
 * caller owns.
 */
public final class EngineTts implements Tts {
  private static final Logger log = LoggerFactory.getLogger(EngineTts.class);
  private static final AtomicInteger THREADS = new AtomicInteger();

  private final TtsEngine engine;
  private final AudioFormat engineFormat;
  private final int sampleRate;
  private final Duration frameDuration;
  private final Voice voice;
  private final SamplingOptions sampling;
  private final String label;
  private final Locale locale;
  private final int minSentenceChars;
  private final int maxSentenceChars;
  private final int maxBufferedFrames;
  private final List<TtsListener> listeners = new CopyOnWriteArrayList<>();
  private final Set<EngineStream> open = ConcurrentHashMap.newKeySet();
  private volatile boolean closed;

  private EngineTts(Builder b) {
    this.engine = b.engine;
    this.engineFormat = engine.audioFormat();
    this.sampleRate = b.sampleRate == 0 ? engineFormat.sampleRate() : b.sampleRate;
    this.frameDuration = b.frameDuration;
    this.voice = b.voice;
    this.sampling = b.sampling;
    this.label = b.label == null ? "parlance." + engine.name() : b.label;
    this.locale = b.locale;
    this.minSentenceChars = b.minSentenceChars;
    this.maxSentenceChars = Math.min(b.maxSentenceChars, engine.capabilities().maxTextChars());
    // About ten seconds of audio may wait for a slow reader before the engine is held back.
    this.maxBufferedFrames = (int) Math.max(1, 10_000 / Math.max(1, frameDuration.toMillis()));
    if (sampleRate != engineFormat.sampleRate() && engineFormat.channels() != 1) {
      throw new IllegalArgumentException(
          "resampling to "
              + sampleRate
              + " Hz needs mono audio; the engine produces "
              + engineFormat.channels()
              + " channels");
    }
  }

  /** A builder for a TTS over {@code engine}. */
  public static Builder builder(TtsEngine engine) {
    return new Builder(engine);
  }

  @Override
  public String label() {
    return label;
  }

  @Override
  public String model() {
    return engine.modelId();
  }

  @Override
  public String provider() {
    return "parlance";
  }

  @Override
  public TtsCapabilities capabilities() {
    return new TtsCapabilities(true, false);
  }

  @Override
  public int sampleRate() {
    return sampleRate;
  }

  @Override
  public int numChannels() {
    return engineFormat.channels();
  }

  /** Duration of every emitted frame. */
  public Duration frameDuration() {
    return frameDuration;
  }

  /** The engine behind this TTS. */
  public TtsEngine engine() {
    return engine;
  }

  @Override
  public ChunkedStream synthesize(String text, ConnOptions options) {
    request(text); // validates now, in the caller's thread
    return register(new EngineChunkedStream(this, text, Objects.requireNonNull(options)));
  }

  @Override
  public SynthesizeStream stream(ConnOptions options) {
    StreamingSentenceSplitter splitter =
        new StreamingSentenceSplitter(
            locale,
            minSentenceChars,
            StreamingSentenceSplitter.DEFAULT_LOOK_AHEAD_CHARS,
            maxSentenceChars);
    return register(new EngineSynthesizeStream(this, splitter, Objects.requireNonNull(options)));
  }

  @Override
  public void addListener(TtsListener listener) {
    listeners.add(Objects.requireNonNull(listener, "listener"));
  }

  @Override
  public void removeListener(TtsListener listener) {
    listeners.remove(listener);
  }

  @Override
  public void close() {
    closed = true;
    for (EngineStream stream : open) {
      stream.close();
    }
  }

  // ---------------------------------------------------------------- for the streams

  private <S extends EngineStream> S register(S stream) {
    if (closed) {
      throw new IllegalStateException("this TTS is closed");
    }
    open.add(stream);
    stream.start();
    return stream;
  }

  void forget(EngineStream stream) {
    open.remove(stream);
  }

  TtsRequest request(String text) {
    if (text == null || text.isBlank()) {
      throw new InvalidRequestException("text", "text must not be empty");
    }
    int max = engine.capabilities().maxTextChars();
    if (text.length() > max) {
      throw new InvalidRequestException(
          "text", "text is " + text.length() + " characters; this engine takes at most " + max);
    }
    return TtsRequest.builder().text(text).voice(voice).sampling(sampling).build();
  }

  Resampler newResampler() {
    return new Resampler(engineFormat.sampleRate(), sampleRate);
  }

  int maxBufferedFrames() {
    return maxBufferedFrames;
  }

  Thread newThread(Runnable task) {
    Thread thread = new Thread(task, "parlance-tts-stream-" + THREADS.incrementAndGet());
    thread.setDaemon(true);
    return thread;
  }

  void reportMetrics(TtsMetrics metrics) {
    for (TtsListener listener : listeners) {
      try {
        listener.onMetrics(metrics);
      } catch (RuntimeException e) {
        log.warn("TTS listener failed on metrics", e);
      }
    }
  }

  void reportError(TtsError error) {
    if (!error.recoverable()) {
      log.debug("synthesis failed: {}", error.error().toString());
    }
    for (TtsListener listener : listeners) {
      try {
        listener.onError(error);
      } catch (RuntimeException e) {
        log.warn("TTS listener failed on error", e);
      }
    }
  }

  /** Fluent construction of an {@link EngineTts}. */
  public static final class Builder {
    private final TtsEngine engine;
    private int sampleRate;
    private Duration frameDuration = Duration.ofMillis(20);
    private Voice voice = Voice.defaultVoice();
    private SamplingOptions sampling = SamplingOptions.DEFAULT;
    private String label;
    private Locale locale = Locale.ENGLISH;
    private int minSentenceChars = StreamingSentenceSplitter.DEFAULT_MIN_SENTENCE_CHARS;
    private int maxSentenceChars = StreamingSentenceSplitter.DEFAULT_MAX_SENTENCE_CHARS;

    private Builder(TtsEngine engine) {
      this.engine = Objects.requireNonNull(engine, "engine");
    }

    /**
     * Output rate: 48,000 for LiveKit rooms, 24,000 for Agents plugins; the engine's by default.
     */
    public Builder sampleRate(int value) {
      if (value <= 0) {
        throw new IllegalArgumentException("sampleRate must be positive, got " + value);
      }
      sampleRate = value;
      return this;
    }

    /** Frame length; 20 ms by default (an Opus packet), 10 ms is WebRTC's native frame. */
    public Builder frameDuration(Duration value) {
      frameDuration = Objects.requireNonNull(value, "frameDuration");
      return this;
    }

    /**
     * The voice of every request: a preset or a Parler description; the default preset if unset.
     */
    public Builder voice(Voice value) {
      voice = Objects.requireNonNull(value, "voice");
      return this;
    }

    /** How the engine samples tokens; the engine's defaults if unset. */
    public Builder sampling(SamplingOptions value) {
      sampling = Objects.requireNonNull(value, "sampling");
      return this;
    }

    /** The label in metrics and errors; {@code parlance.<engine name>} if unset. */
    public Builder label(String value) {
      label = value;
      return this;
    }

    /** Language of the sentence rules for streamed text; English by default. */
    public Builder locale(Locale value) {
      locale = Objects.requireNonNull(value, "locale");
      return this;
    }

    /** Sentences shorter than this wait to be joined to the next; 20 by default, as Agents. */
    public Builder minSentenceChars(int value) {
      minSentenceChars = value;
      return this;
    }

    /** Run-on text is cut near this length; 400 by default. */
    public Builder maxSentenceChars(int value) {
      maxSentenceChars = value;
      return this;
    }

    /**
     * Builds the TTS.
     *
     * @throws IllegalArgumentException the frame duration is not a whole number of samples at the
     *     output rate, or the rate cannot be converted
     */
    public EngineTts build() {
      EngineTts tts = new EngineTts(this);
      new FrameAssembler(tts.sampleRate, tts.numChannels(), frameDuration); // validates framing
      return tts;
    }
  }
}
