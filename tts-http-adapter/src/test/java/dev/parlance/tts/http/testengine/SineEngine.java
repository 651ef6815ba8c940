package dev.parlance.tts.http.testengine;

import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.CancelledException;
import dev.parlance.tts.spi.Capabilities;
import dev.parlance.tts.spi.EngineHealth;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsRequest;
import dev.parlance.tts.spi.Voice;
import dev.parlance.tts.spi.VoiceInfo;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalLong;

/**
 * TEST ONLY. A deterministic SPI engine for exercising the HTTP layer while the real Parler engine
 * is not available: it "speaks" a sine tone whose pitch follows the voice and seed, 0.1 s per chunk
 * at 44.1 kHz, 0.02 s of audio per character. Closing a stream stops it.
 */
public final class SineEngine implements TtsEngine {
  public static final AudioFormat FORMAT = AudioFormat.PARLER;
  public static final int CHUNK = 4410;
  public static final double SECONDS_PER_CHAR = 0.02;

  private static volatile TtsRequest lastRequest;

  /** The last request any sine engine streamed (for the CLI test, which has no server). */
  public static TtsRequest lastRequest() {
    return lastRequest;
  }

  @Override
  public String name() {
    return SineEngineProvider.NAME;
  }

  @Override
  public String modelId() {
    return "test/sine-tone";
  }

  @Override
  public AudioFormat audioFormat() {
    return FORMAT;
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(true, true, true, TtsRequest.MAX_TEXT_CHARS, Duration.ofMinutes(1));
  }

  @Override
  public List<VoiceInfo> voices() {
    return List.of(
        new VoiceInfo("default", "A plain test tone.", OptionalLong.of(7)),
        new VoiceInfo("narrator", "An engine-native test preset.", OptionalLong.of(9)));
  }

  @Override
  public EngineHealth health() {
    return new EngineHealth(true, "cpu", true, false, true, "ok");
  }

  @Override
  public AudioClip synthesize(TtsRequest request) {
    return stream(request).readAll();
  }

  @Override
  public AudioStream stream(TtsRequest request) {
    if (request.voice() instanceof Voice.Preset p
        && voices().stream().noneMatch(v -> v.name().equals(p.name()))) {
      throw new InvalidRequestException("voice", "unknown voice " + p.name());
    }
    lastRequest = request;
    return new SineStream(request);
  }

  /** The tone's frequency for a request: a function of voice and seed only. */
  static double frequency(TtsRequest request) {
    String voice =
        request.voice() instanceof Voice.Preset p
            ? p.name()
            : ((Voice.Described) request.voice()).description();
    long seed = request.sampling().seed().orElse(0);
    return 200 + Math.floorMod(voice.hashCode() * 31L + seed, 400);
  }

  @Override
  public void close() {}

  private static final class SineStream implements AudioStream {
    private final TtsRequest request;
    private final double frequency;
    private final int total;
    private volatile boolean closed;
    private int produced;
    private int sequence;

    SineStream(TtsRequest request) {
      this.request = request;
      this.frequency = frequency(request);
      this.total =
          (int) Math.max(CHUNK, Math.round(request.text().length() * SECONDS_PER_CHAR * 44_100));
    }

    @Override
    public AudioFormat format() {
      return FORMAT;
    }

    @Override
    public TtsRequest request() {
      return request;
    }

    @Override
    public boolean hasNext() {
      if (closed) {
        throw new CancelledException("stream closed", false);
      }
      return produced < total;
    }

    @Override
    public AudioChunk next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      int n = Math.min(CHUNK, total - produced);
      float[] s = new float[n];
      for (int i = 0; i < n; i++) {
        s[i] = (float) (0.5 * Math.sin(2 * Math.PI * frequency * (produced + i) / 44_100.0));
      }
      AudioChunk chunk = new AudioChunk(s, FORMAT, sequence++, produced, produced + n >= total);
      produced += n;
      return chunk;
    }

    @Override
    public void close() {
      closed = true;
    }
  }
}
