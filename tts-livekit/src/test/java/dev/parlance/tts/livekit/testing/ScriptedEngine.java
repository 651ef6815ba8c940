package dev.parlance.tts.livekit.testing;

import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.Capabilities;
import dev.parlance.tts.spi.EngineHealth;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsException;
import dev.parlance.tts.spi.TtsRequest;
import dev.parlance.tts.spi.VoiceInfo;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

/**
 * TEST ONLY. A stand-in for a real engine, in the spirit of LiveKit Agents' {@code fake_tts.py}:
 * speaks a sine tone whose length is proportional to the text, chunk by chunk from its own thread,
 * one "decoder step" of {@code stepDelay} per chunk, after a scripted time to first chunk. Failures
 * can be scripted per call. Cancellation is noticed between steps, as in a real decoder. Records
 * every request and when each generation loop stopped.
 */
public final class ScriptedEngine implements TtsEngine {
  /** A scripted failure for one call: thrown at admission or after some chunks. */
  public record Fault(TtsException error, int afterChunks) {}

  private final AudioFormat format;
  private final double toneHz;
  private final int chunkSamples;
  private final Duration stepDelay;
  private final Duration firstChunkDelay;
  private final int samplesPerChar;
  private final Deque<Fault> faults = new ArrayDeque<>();
  public final List<TtsRequest> requests = new CopyOnWriteArrayList<>();
  public final List<Long> requestNanos = new CopyOnWriteArrayList<>();

  /** System.nanoTime() at which a cancelled generation loop stopped. */
  public final List<Long> cancelledAtNanos = new CopyOnWriteArrayList<>();

  public ScriptedEngine(
      int sampleRate,
      double toneHz,
      int chunkSamples,
      Duration stepDelay,
      Duration firstChunkDelay,
      int samplesPerChar) {
    this.format = AudioFormat.mono(sampleRate);
    this.toneHz = toneHz;
    this.chunkSamples = chunkSamples;
    this.stepDelay = stepDelay;
    this.firstChunkDelay = firstChunkDelay;
    this.samplesPerChar = samplesPerChar;
  }

  /** Makes the next call fail. {@code afterChunks < 0}: at admission, before any stream exists. */
  public synchronized ScriptedEngine failNext(TtsException error, int afterChunks) {
    faults.add(new Fault(error, afterChunks));
    return this;
  }

  /** The tone this engine produces for {@code text}, sample for sample. */
  public float[] expectedSamples(String text) {
    float[] out = new float[text.length() * samplesPerChar];
    for (int i = 0; i < out.length; i++) {
      out[i] = (float) (0.5 * Math.sin(2 * Math.PI * toneHz * i / format.sampleRate()));
    }
    return out;
  }

  @Override
  public String name() {
    return "scripted";
  }

  @Override
  public String modelId() {
    return "test/scripted-tone";
  }

  @Override
  public AudioFormat audioFormat() {
    return format;
  }

  @Override
  public Capabilities capabilities() {
    return new Capabilities(true, true, true, TtsRequest.MAX_TEXT_CHARS, Duration.ofMinutes(10));
  }

  @Override
  public List<VoiceInfo> voices() {
    return List.of();
  }

  @Override
  public EngineHealth health() {
    throw new UnsupportedOperationException("not needed by these tests");
  }

  @Override
  public AudioClip synthesize(TtsRequest request) {
    return stream(request).readAll();
  }

  @Override
  public AudioStream stream(TtsRequest request) {
    requests.add(request);
    requestNanos.add(System.nanoTime());
    Fault fault;
    synchronized (this) {
      fault = faults.poll();
    }
    if (fault != null && fault.afterChunks() < 0) {
      throw fault.error();
    }
    return new ToneStream(request, fault);
  }

  @Override
  public void close() {}

  private final class ToneStream implements AudioStream {
    private final TtsRequest request;
    private final BlockingQueue<Object> queue = new ArrayBlockingQueue<>(4);
    private final Thread generator;
    private volatile boolean closed;
    private Object next;
    private boolean done;

    ToneStream(TtsRequest request, Fault fault) {
      this.request = request;
      float[] all = expectedSamples(request.text());
      this.generator =
          new Thread(
              () -> {
                try {
                  Thread.sleep(firstChunkDelay.toMillis());
                  int sequence = 0;
                  if (all.length == 0) {
                    queue.put(new AudioChunk(all, format, 0, 0, true));
                  }
                  for (int at = 0; at < all.length && !closed; at += chunkSamples) {
                    if (fault != null && sequence == fault.afterChunks()) {
                      queue.put(fault.error());
                      return;
                    }
                    if (sequence > 0) {
                      Thread.sleep(stepDelay.toMillis());
                    }
                    int end = Math.min(all.length, at + chunkSamples);
                    float[] piece = java.util.Arrays.copyOfRange(all, at, end);
                    AudioChunk chunk =
                        new AudioChunk(piece, format, sequence++, at, end == all.length);
                    while (!closed && !queue.offer(chunk, 5, TimeUnit.MILLISECONDS)) {
                      // a decoder waits for its reader, but notices cancellation
                    }
                  }
                } catch (InterruptedException e) {
                  // closed
                } finally {
                  if (closed) {
                    cancelledAtNanos.add(System.nanoTime());
                  }
                }
              },
              "scripted-engine");
      generator.setDaemon(true);
      generator.start();
    }

    @Override
    public AudioFormat format() {
      return format;
    }

    @Override
    public TtsRequest request() {
      return request;
    }

    @Override
    public boolean hasNext() {
      while (next == null && !done && !closed) {
        try {
          next = queue.poll(10, TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          return false;
        }
      }
      if (next instanceof TtsException error) {
        done = true;
        next = null;
        throw error;
      }
      return next != null && !closed;
    }

    @Override
    public AudioChunk next() {
      if (!hasNext()) {
        throw new NoSuchElementException();
      }
      AudioChunk chunk = (AudioChunk) next;
      next = null;
      done = chunk.last();
      return chunk;
    }

    /** Like a decoder, the generator notices cancellation between steps, not in the middle. */
    @Override
    public void close() {
      closed = true;
    }
  }
}
