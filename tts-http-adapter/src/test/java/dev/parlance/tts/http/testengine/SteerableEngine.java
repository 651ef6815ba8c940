package dev.parlance.tts.http.testengine;

import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.Capabilities;
import dev.parlance.tts.spi.EngineFailureException;
import dev.parlance.tts.spi.EngineHealth;
import dev.parlance.tts.spi.EngineUnavailableException;
import dev.parlance.tts.spi.OverloadedException;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsRequest;
import dev.parlance.tts.spi.VoiceInfo;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * TEST ONLY. Wraps whatever engine the server tests run on (the sine engine, or the real Parler
 * engine on the tiny checkpoint) to record requests, pace chunks, count cancellations, and refuse
 * work as overloaded or unavailable on demand. Audio is the wrapped engine's own.
 */
public final class SteerableEngine implements TtsEngine {
  private final TtsEngine delegate;

  public volatile boolean overloaded;
  public volatile boolean unavailable;
  public volatile boolean notReady;

  /** Fail with an engine error after this many chunks; negative = never. */
  public volatile int failAfterChunks = -1;

  /** Extra delay before each chunk, to make synthesis slow enough to observe. */
  public volatile long chunkDelayMillis;

  /**
   * Hold every stream after this many chunks until {@link #release()} or the stream is closed;
   * negative = never. Keeps a request in flight however short the engine's audio is.
   */
  public volatile int holdAfterChunks = -1;

  private final Object gate = new Object();

  public final List<TtsRequest> requests = new CopyOnWriteArrayList<>();
  public final AtomicInteger active = new AtomicInteger();
  public final AtomicInteger cancelled = new AtomicInteger();
  public final AtomicInteger completed = new AtomicInteger();

  public SteerableEngine(TtsEngine delegate) {
    this.delegate = delegate;
  }

  /** The last request streamed. */
  public TtsRequest lastRequest() {
    return requests.get(requests.size() - 1);
  }

  /**
   * What the wrapped engine says for {@code request} when asked directly (same seed, so the same
   * audio from a seeded engine): the reference the HTTP output is checked against.
   */
  public AudioClip reference(TtsRequest request) {
    return delegate.synthesize(request.toBuilder().deadline(null).build());
  }

  /** How many chunks the wrapped engine streams for {@code request}. */
  public int chunkCount(TtsRequest request) {
    int n = 0;
    try (AudioStream stream = delegate.stream(request.toBuilder().deadline(null).build())) {
      while (stream.hasNext()) {
        stream.next();
        n++;
      }
    }
    return n;
  }

  /** Lets held streams go on. */
  public void release() {
    synchronized (gate) {
      holdAfterChunks = -1;
      gate.notifyAll();
    }
  }

  /** Puts the knobs back. */
  public void reset() {
    release();
    overloaded = false;
    unavailable = false;
    notReady = false;
    failAfterChunks = -1;
    chunkDelayMillis = 0;
  }

  @Override
  public String name() {
    return delegate.name();
  }

  @Override
  public String modelId() {
    return delegate.modelId();
  }

  @Override
  public AudioFormat audioFormat() {
    return delegate.audioFormat();
  }

  @Override
  public Capabilities capabilities() {
    return delegate.capabilities();
  }

  @Override
  public List<VoiceInfo> voices() {
    return delegate.voices();
  }

  @Override
  public EngineHealth health() {
    EngineHealth h = delegate.health();
    return notReady
        ? new EngineHealth(
            h.modelLoaded(),
            h.device(),
            h.memoryAvailable(),
            h.gpuAvailable(),
            false,
            "told not to be ready")
        : h;
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
    AudioStream inner = delegate.stream(request);
    requests.add(request);
    return new Steered(inner);
  }

  @Override
  public void close() {
    delegate.close();
  }

  private final class Steered implements AudioStream {
    private final AudioStream inner;
    private final AtomicBoolean ended = new AtomicBoolean();
    private int delivered;

    Steered(AudioStream inner) {
      this.inner = inner;
      active.incrementAndGet();
    }

    @Override
    public AudioFormat format() {
      return inner.format();
    }

    @Override
    public TtsRequest request() {
      return inner.request();
    }

    @Override
    public boolean hasNext() {
      synchronized (gate) {
        while (holdAfterChunks >= 0 && delivered >= holdAfterChunks && !ended.get()) {
          try {
            gate.wait(100);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            break;
          }
        }
      }
      if (failAfterChunks >= 0 && delivered >= failAfterChunks) {
        throw new EngineFailureException("test engine told to fail");
      }
      boolean more = inner.hasNext();
      if (!more && ended.compareAndSet(false, true)) {
        completed.incrementAndGet();
        active.decrementAndGet();
      }
      return more;
    }

    @Override
    public AudioChunk next() {
      long delay = chunkDelayMillis;
      if (delay > 0) {
        try {
          Thread.sleep(delay);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }
      delivered++;
      return inner.next();
    }

    @Override
    public void close() {
      if (ended.compareAndSet(false, true)) {
        cancelled.incrementAndGet();
        active.decrementAndGet();
      }
      inner.close();
      synchronized (gate) {
        gate.notifyAll();
      }
    }
  }
}
