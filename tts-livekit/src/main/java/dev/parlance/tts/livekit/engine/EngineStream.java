package dev.parlance.tts.livekit.engine;

import dev.parlance.tts.core.audio.Resampler;
import dev.parlance.tts.livekit.AudioFrame;
import dev.parlance.tts.livekit.ConnOptions;
import dev.parlance.tts.livekit.SynthesizedAudio;
import dev.parlance.tts.livekit.TtsAudioStream;
import dev.parlance.tts.livekit.TtsError;
import dev.parlance.tts.livekit.TtsMetrics;
import dev.parlance.tts.livekit.audio.FrameAssembler;
import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.CancelledException;
import dev.parlance.tts.spi.EngineFailureException;
import dev.parlance.tts.spi.TtsException;
import dev.parlance.tts.spi.TtsRequest;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.List;
import java.util.NoSuchElementException;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The machinery shared by chunked and incremental streams: a producer thread takes sentences from
 * an input queue, synthesises each with {@code engine.stream}, frames the audio and hands frames to
 * the reader through a bounded queue (a slow reader slows the engine down rather than growing
 * memory).
 *
 * <p>Cancellation: {@link #close()} closes the engine stream in flight (the SPI stops it within one
 * decoding step), wakes the producer, and from then on the reader sees no more frames.
 */
abstract class EngineStream implements TtsAudioStream {
  /** Work for the producer. */
  sealed interface Input permits Sentence, Mark {}

  record Sentence(String text) implements Input {}

  enum Mark implements Input {
    END_SEGMENT,
    END_INPUT
  }

  private record Failure(TtsException error) {}

  /** Where a request's audio begins in the segment's output: for the frames' ids and text. */
  private record Start(long sample, String requestId, String text) {}

  private static final Object END = new Object();
  private static final Object CLOSED = new Object();
  private static final int MAX_PENDING_INPUTS = 1024;

  private final EngineTts owner;
  private final ConnOptions options;
  private final boolean streamed;
  private final BlockingQueue<Input> inputs = new ArrayBlockingQueue<>(MAX_PENDING_INPUTS);
  private final BlockingQueue<Object> outputs;
  private final Thread producer;
  private final AtomicBoolean closing = new AtomicBoolean();
  private volatile boolean closed;
  private volatile AudioStream inFlight;

  // Reader state.
  private SynthesizedAudio nextFrame;
  private boolean ended;

  // Producer state, for the segment being spoken.
  private final FrameAssembler assembler;
  private Resampler converter; // engine rate -> output rate, continuous across chunks
  private String segmentId;
  private String requestId;
  private long segmentStartNanos;
  private long firstFrameNanos;
  private long audioNanos;
  private int characters;
  private final ArrayDeque<Start> starts = new ArrayDeque<>();
  private String frameRequestId; // the newest request with audio in the frames emitted so far
  private long samplesPushed; // per channel, into the assembler, this segment
  private long samplesEmitted; // per channel, in emitted frames, this segment

  EngineStream(EngineTts owner, ConnOptions options, boolean streamed) {
    this.owner = owner;
    this.options = options;
    this.streamed = streamed;
    this.outputs = new ArrayBlockingQueue<>(owner.maxBufferedFrames());
    this.assembler =
        new FrameAssembler(owner.sampleRate(), owner.numChannels(), owner.frameDuration());
    this.producer = owner.newThread(this::produce);
  }

  /** Starts the producer; called once the subclass is constructed. */
  final void start() {
    producer.start();
  }

  /**
   * Queues work for the producer, waiting while a thousand items are already queued; gives up
   * silently once the stream is closed.
   */
  final void submit(Input input) {
    try {
      while (!closed && !inputs.offer(input, 20, TimeUnit.MILLISECONDS)) {
        // the producer is behind (a slow reader holds it back): wait, but notice close()
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CancelledException("interrupted while queueing text", false);
    }
  }

  final boolean isClosed() {
    return closed;
  }

  // ---------------------------------------------------------------- reader side

  @Override
  public boolean hasNext() {
    if (nextFrame != null) {
      return !closed;
    }
    while (!ended && !closed) {
      Object event;
      try {
        event = outputs.poll(50, TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new CancelledException("interrupted while waiting for audio", false);
      }
      if (closed || event == null || event == CLOSED) {
        continue;
      }
      if (event == END) {
        ended = true;
      } else if (event instanceof Failure failure) {
        ended = true;
        throw failure.error();
      } else {
        nextFrame = (SynthesizedAudio) event;
        return true;
      }
    }
    return false;
  }

  @Override
  public SynthesizedAudio next() {
    if (!hasNext()) {
      throw new NoSuchElementException("the stream has ended");
    }
    SynthesizedAudio frame = nextFrame;
    nextFrame = null;
    return frame;
  }

  @Override
  public void close() {
    // not synchronized: an input thread may hold this stream's monitor while it waits
    if (!closing.compareAndSet(false, true)) {
      return;
    }
    closed = true;
    AudioStream engineStream = inFlight;
    if (engineStream != null) {
      engineStream.close();
    }
    producer.interrupt();
    outputs.clear();
    outputs.offer(CLOSED);
  }

  // ---------------------------------------------------------------- producer side

  private void produce() {
    try {
      while (!closed) {
        Input input = inputs.take();
        if (input instanceof Sentence sentence) {
          speak(sentence.text());
        } else if (input == Mark.END_SEGMENT) {
          endSegment();
        } else {
          endSegment();
          deliver(END);
          return;
        }
      }
    } catch (InterruptedException e) {
      // close() interrupts a producer waiting for input or for the reader
    } catch (RuntimeException e) {
      if (!closed) {
        TtsException error =
            e instanceof TtsException t ? t : new EngineFailureException("synthesis failed", e);
        try {
          // what was heard before the failure is delivered in full, none of it final
          for (AudioFrame frame : assembler.finish()) {
            emit(frame, false);
          }
          deliver(new Failure(error));
        } catch (InterruptedException interrupted) {
          // closed meanwhile: the reader no longer looks
        }
      }
    } finally {
      AudioStream engineStream = inFlight;
      if (engineStream != null) {
        engineStream.close();
      }
      if (closed && segmentId != null) {
        reportMetrics(true);
      }
      owner.forget(this);
    }
  }

  private void speak(String text) throws InterruptedException {
    if (segmentId == null) {
      segmentId = streamed ? "SEG_" + shortId() : null;
      segmentStartNanos = System.nanoTime();
      firstFrameNanos = 0;
      audioNanos = 0;
      characters = 0;
      requestId = null;
      frameRequestId = null;
      starts.clear();
      samplesPushed = 0;
      samplesEmitted = 0;
      converter = owner.newResampler();
    }
    characters += text.length();
    TtsRequest request = owner.request(text);
    String firstId = request.id();
    if (segmentId == null) {
      segmentId = request.id();
    }
    Start start = new Start(samplesPushed, request.id(), text);
    starts.addLast(start);
    for (int attempt = 0; ; attempt++) {
      boolean audioReceived = false;
      try (AudioStream audio = owner.engine().stream(request)) {
        inFlight = audio;
        requestId = request.id();
        if (closed) {
          return;
        }
        while (audio.hasNext()) {
          AudioChunk chunk = audio.next();
          if (closed) {
            return;
          }
          audioReceived |= chunk.size() > 0;
          push(converter.process(chunk.samples()));
        }
        return;
      } catch (TtsException e) {
        if (closed) {
          return;
        }
        boolean retry = !audioReceived && isRetryable(e) && attempt < options.maxRetry();
        owner.reportError(new TtsError(owner.label(), e, retry));
        if (!retry) {
          throw e;
        }
        Thread.sleep(options.retryInterval().toMillis());
        request = request.toBuilder().id(firstId + "-retry" + (attempt + 1)).build();
        // no audio of the failed attempt was pushed, so its start is still queued
        starts.remove(start);
        start = new Start(start.sample(), request.id(), text);
        starts.addLast(start);
      } finally {
        inFlight = null;
      }
    }
  }

  private static boolean isRetryable(TtsException e) {
    return switch (e.kind()) {
      case OVERLOADED, UNAVAILABLE, INTERNAL -> true;
      case INVALID_REQUEST, CANCELLED -> false;
    };
  }

  private void endSegment() throws InterruptedException {
    if (segmentId == null) {
      return;
    }
    push(converter.flush());
    List<AudioFrame> rest = assembler.finish();
    if (rest.isEmpty()) {
      throw new EngineFailureException(
          "no audio frames were produced for " + characters + " characters of text");
    }
    for (int i = 0; i < rest.size(); i++) {
      emit(rest.get(i), i == rest.size() - 1);
    }
    reportMetrics(false);
    segmentId = null;
  }

  private void push(float[] samples) throws InterruptedException {
    samplesPushed += samples.length / owner.numChannels();
    for (AudioFrame frame : assembler.push(samples)) {
      emit(frame, false);
    }
  }

  /**
   * Emits a frame named after the newest request with audio in it, with the text of every request
   * whose audio starts in it (the final frame takes any left, e.g. of a request that gave no
   * audio). The framer holds one frame back, so the request in flight may already be the next one.
   */
  private void emit(AudioFrame frame, boolean isFinal) throws InterruptedException {
    if (firstFrameNanos == 0) {
      firstFrameNanos = System.nanoTime();
    }
    audioNanos += frame.duration().toNanos();
    samplesEmitted += frame.samplesPerChannel();
    StringBuilder delta = new StringBuilder();
    while (!starts.isEmpty() && (isFinal || starts.peekFirst().sample() < samplesEmitted)) {
      Start start = starts.pollFirst();
      frameRequestId = start.requestId();
      delta.append(delta.length() == 0 ? "" : " ").append(start.text());
    }
    deliver(new SynthesizedAudio(frame, frameRequestId, segmentId, isFinal, delta.toString()));
  }

  private void deliver(Object event) throws InterruptedException {
    while (!closed) {
      if (outputs.offer(event, 20, TimeUnit.MILLISECONDS)) {
        return;
      }
    }
  }

  private void reportMetrics(boolean cancelled) {
    long now = System.nanoTime();
    owner.reportMetrics(
        new TtsMetrics(
            owner.label(),
            requestId == null ? segmentId : requestId,
            segmentId,
            Instant.now(),
            firstFrameNanos == 0
                ? Duration.ZERO
                : Duration.ofNanos(firstFrameNanos - segmentStartNanos),
            Duration.ofNanos(now - segmentStartNanos),
            Duration.ofNanos(audioNanos),
            characters,
            cancelled,
            streamed));
  }

  private static String shortId() {
    return UUID.randomUUID().toString().replace("-", "").substring(0, 12);
  }
}
