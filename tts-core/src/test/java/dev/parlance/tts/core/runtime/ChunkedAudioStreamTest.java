package dev.parlance.tts.core.runtime;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.core.metrics.RequestObserver;
import dev.parlance.tts.core.metrics.RuntimeListener;
import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.CancelledException;
import dev.parlance.tts.spi.EngineFailureException;
import dev.parlance.tts.spi.TtsException;
import dev.parlance.tts.spi.TtsRequest;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;

class ChunkedAudioStreamTest {
  private static final AudioFormat FORMAT = AudioFormat.mono(1000);
  private static final TtsRequest REQUEST = TtsRequest.of("Hello.");

  private final List<String> events = new CopyOnWriteArrayList<>();
  private final RuntimeListener recorder =
      new RuntimeListener() {
        @Override
        public void firstAudio(Duration sinceReceived) {
          events.add("first");
        }

        @Override
        public void requestCompleted(Duration latency, double audioSeconds, boolean cached) {
          events.add("completed " + audioSeconds + (cached ? " cached" : ""));
        }

        @Override
        public void requestFailed(TtsException.Kind kind, Duration latency) {
          events.add("failed " + kind);
        }
      };

  @Test
  void numbersChunksAndEndsWithAnEmptyLastChunk() {
    StreamBuffer<float[]> buffer = new StreamBuffer<>();
    ChunkedAudioStream stream =
        new ChunkedAudioStream(REQUEST, FORMAT, buffer, RequestObserver.start(recorder), false);
    buffer.accept(new float[] {1, 2, 3});
    buffer.accept(new float[] {4, 5});
    buffer.complete();
    AudioChunk a = stream.next();
    AudioChunk b = stream.next();
    AudioChunk end = stream.next();
    assertFalse(stream.hasNext());
    assertEquals(List.of(0, 1, 2), List.of(a.sequence(), b.sequence(), end.sequence()));
    assertEquals(List.of(0L, 3L, 5L), List.of(a.startSample(), b.startSample(), end.startSample()));
    assertFalse(a.last() || b.last());
    assertTrue(end.last());
    assertEquals(0, end.size());
    assertEquals(List.of("first", "completed 0.005"), events);
  }

  @Test
  void readAllJoinsWhatArrivesFromAnotherThread() {
    StreamBuffer<float[]> buffer = new StreamBuffer<>();
    ChunkedAudioStream stream =
        new ChunkedAudioStream(REQUEST, FORMAT, buffer, RequestObserver.start(recorder), false);
    Thread producer =
        new Thread(
            () -> {
              for (int i = 0; i < 5; i++) {
                buffer.accept(new float[] {i, i});
              }
              buffer.complete();
            });
    producer.start();
    AudioClip clip = assertTimeoutPreemptively(Duration.ofSeconds(10), stream::readAll);
    assertArrayEquals(new float[] {0, 0, 1, 1, 2, 2, 3, 3, 4, 4}, clip.samples());
  }

  @Test
  void aFailureIsThrownAndReported() {
    StreamBuffer<float[]> buffer = new StreamBuffer<>();
    ChunkedAudioStream stream =
        new ChunkedAudioStream(REQUEST, FORMAT, buffer, RequestObserver.start(recorder), false);
    buffer.accept(new float[] {1});
    buffer.fail(new EngineFailureException("boom"));
    assertEquals(1, stream.next().size());
    assertThrows(EngineFailureException.class, stream::hasNext);
    assertFalse(stream.hasNext());
    stream.close();
    assertEquals(List.of("first", "failed INTERNAL"), events);
  }

  @Test
  void closingFromAnotherThreadWakesTheReaderAndCancels() throws Exception {
    StreamBuffer<float[]> buffer = new StreamBuffer<>();
    AtomicBoolean cancelled = new AtomicBoolean();
    buffer.onClose(() -> cancelled.set(true));
    ChunkedAudioStream stream =
        new ChunkedAudioStream(REQUEST, FORMAT, buffer, RequestObserver.start(recorder), false);
    CompletableFuture<Boolean> reader = CompletableFuture.supplyAsync(stream::hasNext);
    Thread.sleep(50); // let the reader block
    stream.close();
    assertFalse(reader.get(10, java.util.concurrent.TimeUnit.SECONDS));
    assertTrue(cancelled.get());
    assertThrows(IllegalStateException.class, () -> buffer.accept(new float[1]));
    assertEquals(List.of("failed CANCELLED"), events);
  }

  @Test
  void aCachedClipIsOneChunkThenTheEnd() {
    AudioClip clip = new AudioClip(new float[] {0.5f, -0.5f}, FORMAT);
    ChunkedAudioStream stream =
        ChunkedAudioStream.ofClip(REQUEST, clip, RequestObserver.start(recorder));
    assertArrayEquals(clip.samples(), stream.readAll().samples());
    assertEquals(List.of("first", "completed 0.002 cached"), events);
  }

  @Test
  void anInterruptedReaderCancels() {
    StreamBuffer<float[]> buffer = new StreamBuffer<>();
    ChunkedAudioStream stream =
        new ChunkedAudioStream(REQUEST, FORMAT, buffer, RequestObserver.start(recorder), false);
    Thread.currentThread().interrupt();
    assertThrows(CancelledException.class, stream::hasNext);
    assertTrue(Thread.interrupted());
    assertTrue(buffer.isClosed());
    assertEquals(List.of("failed CANCELLED"), events);
  }
}
