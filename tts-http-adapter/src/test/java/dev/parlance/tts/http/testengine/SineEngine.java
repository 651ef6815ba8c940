package dev.parlance.tts.http.testengine;

import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.CancelledException;
import dev.parlance.tts.spi.Capabilities;
import dev.parlance.tts.spi.EngineHealth;
import dev.parlance.tts.spi.EngineUnavailableException;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.OverloadedException;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsRequest;
import dev.parlance.tts.spi.Voice;
import dev.parlance.tts.spi.VoiceInfo;
import java.time.Duration;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.OptionalLong;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TEST ONLY. A deterministic SPI engine for exercising the HTTP layer before (and besides) the real
 * Parler engine: it "speaks" a sine tone whose pitch follows the voice and seed, 0.1 s per chunk at
 * 44.1 kHz, paced by a configurable delay. It honours cancellation (close stops the producer
 * thread) and can be told to refuse work as overloaded or unavailable.
 */
public final class SineEngine implements TtsEngine {
  public static final AudioFormat FORMAT = AudioFormat.PARLER;
  public static final int CHUNK = 4410;

  private static volatile SineEngine last;

  /** Seconds of audio per character of text. */
  public static final double SECONDS_PER_CHAR = 0.02;

  public volatile boolean overloaded;
  public volatile boolean unavailable;
  public volatile boolean ready = true;
  public volatile boolean failMidStream;
  public volatile long chunkDelayMillis;
  public volatile TtsRequest lastRequest;
  public final AtomicInteger active = new AtomicInteger();
  public final AtomicInteger cancelled = new AtomicInteger();
  public final AtomicInteger completed = new AtomicInteger();

  SineEngine(long chunkDelayMillis) {
    this.chunkDelayMillis = chunkDelayMillis;
    last = this;
  }

  /** The most recently created engine, for tests to steer. */
  public static SineEngine last() {
    return last;
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
    return new EngineHealth(ready, "cpu", true, false, ready, ready ? "ok" : "warming up");
  }

  @Override
  public AudioClip synthesize(TtsRequest request) {
    return stream(request).readAll();
  }

  @Override
  public AudioStream stream(TtsRequest request) {
    if (unavailable) {
      throw new EngineUnavailableException("test engine told to be unavailable");
    }
    if (overloaded) {
      throw new OverloadedException("test engine told to be overloaded", Duration.ofSeconds(3));
    }
    if (request.voice() instanceof Voice.Preset p
        && voices().stream().noneMatch(v -> v.name().equals(p.name()))) {
      throw new InvalidRequestException("voice", "unknown voice " + p.name());
    }
    lastRequest = request;
    return new SineStream(request);
  }

  /** The tone's frequency for a request: a function of voice and seed only. */
  public static double frequency(TtsRequest request) {
    String voice =
        request.voice() instanceof Voice.Preset p
            ? p.name()
            : ((Voice.Described) request.voice()).description();
    long seed = request.sampling().seed().orElse(0);
    return 200 + Math.floorMod(voice.hashCode() * 31L + seed, 400);
  }

  /** Total samples a request produces. */
  public static int totalSamples(TtsRequest request) {
    return (int) Math.max(CHUNK, Math.round(request.text().length() * SECONDS_PER_CHAR * 44_100));
  }

  @Override
  public void close() {}

  private final class SineStream implements AudioStream {
    private final TtsRequest request;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(4);
    private final Thread producer;
    private volatile boolean closed;
    private AudioChunk next;
    private boolean done;

    SineStream(TtsRequest request) {
      this.request = request;
      active.incrementAndGet();
      producer = new Thread(this::produce, "sine-engine");
      producer.setDaemon(true);
      producer.start();
    }

    private void produce() {
      double f = frequency(request);
      int total = totalSamples(request);
      int seq = 0;
      try {
        for (int start = 0; start < total && !closed; start += CHUNK) {
          if (failMidStream && seq == 2) {
            queue.put(new IllegalStateException("told to fail"));
            return;
          }
          Thread.sleep(chunkDelayMillis);
          int n = Math.min(CHUNK, total - start);
          float[] s = new float[n];
          for (int i = 0; i < n; i++) {
            s[i] = (float) (0.5 * Math.sin(2 * Math.PI * f * (start + i) / 44_100.0));
          }
          queue.put(new AudioChunk(s, FORMAT, seq++, start, start + n >= total));
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        if (closed) {
          cancelled.incrementAndGet();
        } else {
          completed.incrementAndGet();
        }
        active.decrementAndGet();
      }
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
      if (next != null) {
        return true;
      }
      if (done) {
        return false;
      }
      try {
        while (true) {
          if (closed) {
            throw new CancelledException("stream closed", false);
          }
          Object o = queue.poll(50, TimeUnit.MILLISECONDS);
          if (o instanceof AudioChunk c) {
            next = c;
            done = c.last();
            return true;
          }
          if (o instanceof IllegalStateException e) {
            throw new dev.parlance.tts.spi.EngineFailureException(e.getMessage(), e);
          }
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new CancelledException("interrupted", false);
      }
    }

    @Override
    public AudioChunk next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      AudioChunk c = next;
      next = null;
      return c;
    }

    @Override
    public void close() {
      closed = true;
      producer.interrupt();
    }
  }
}
