package dev.parlance.tts.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import dev.parlance.tts.core.generation.Generation;
import dev.parlance.tts.core.generation.SamplingSettings;
import dev.parlance.tts.core.model.Conditioning;
import dev.parlance.tts.core.model.ParlerModel;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.core.testing.Tensors;
import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.OverloadedException;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsEngines;
import dev.parlance.tts.spi.TtsRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The {@code parler} engine on the tiny mini-v1-shaped fixture checkpoint. */
class ParlerEngineTest {
  private static final String TEXT = "Hey, how are you doing today?";
  private static final String DESCRIPTION = "A man says a calm and clear message very fast.";
  private static ParlerEngine engine;

  @BeforeAll
  static void load() {
    engine =
        (ParlerEngine)
            TtsEngines.load(
                "parler",
                TtsEngineConfig.builder()
                    .model(Fixtures.checkpoint("tiny-mini-v1-arch").toString())
                    .device("cpu")
                    .dtype("float32")
                    .option("chunk_frames", "4")
                    .option("max_concurrency", "1")
                    .option("max_queue", "0")
                    .build());
  }

  @AfterAll
  static void close() {
    engine.close();
  }

  private static TtsRequest request(SamplingOptions sampling) {
    return TtsRequest.builder().text(TEXT).description(DESCRIPTION).sampling(sampling).build();
  }

  private static SamplingOptions shortSampled(long seed) {
    return SamplingOptions.builder().seed(seed).maxDuration(Duration.ofMillis(12)).build();
  }

  @Test
  void providerIsRegistered() {
    assertInstanceOf(ParlerEngineProvider.class, TtsEngines.provider("parler"));
    assertEquals("parler", engine.name());
    assertTrue(engine.health().ready());
    assertEquals(44_100, engine.audioFormat().sampleRate());
  }

  @Test
  void streamedChunksEqualTheOfflineDecode() {
    SamplingOptions greedy =
        SamplingOptions.builder().greedy(true).maxDuration(Duration.ofMillis(12)).build();
    List<AudioChunk> chunks = new ArrayList<>();
    try (AudioStream stream = engine.stream(request(greedy))) {
      stream.forEachRemaining(chunks::add);
    }
    assertTrue(chunks.size() > 3, "expected several chunks, got " + chunks.size());
    assertTrue(chunks.get(chunks.size() - 1).last());
    float[] streamed = AudioClip.concat(chunks, engine.audioFormat()).samples();

    ParlerModel model = engine.model();
    int k = model.decoder().config().numCodebooks();
    int frames = (int) Math.ceil(0.012 * model.dac().config().frameRate());
    SamplingSettings settings =
        new SamplingSettings(
            true, 1, 0, 1, 0, frames + k, model.config().generation().minNewTokens());
    float[] offline;
    try (NDManager scope = model.newRequestManager()) {
      Conditioning c = model.condition(List.of(DESCRIPTION), List.of(TEXT), scope);
      Generation g = model.generate(c, settings, scope, null);
      offline = model.decodeAudio(g.codes()).item(0);
    }
    Tensors.assertClose("streamed vs offline audio", offline, streamed);
  }

  @Test
  void sameSeedSameAudio() {
    float[] a = engine.synthesize(request(shortSampled(42))).samples();
    float[] b = engine.synthesize(request(shortSampled(42))).samples();
    float[] c = engine.synthesize(request(shortSampled(43))).samples();
    assertArrayEquals(a, b);
    assertFalse(java.util.Arrays.equals(a, c), "another seed should sample other tokens");
  }

  @Test
  void closeStopsWithinOneStepAndFreesCapacity() throws InterruptedException {
    TtsRequest longRequest = request(SamplingOptions.builder().greedy(true).build());
    AudioStream stream = engine.stream(longRequest);
    assertTrue(stream.hasNext());
    stream.next(); // generation is running
    long before = engine.decoderSteps();
    stream.close();
    awaitIdle();
    // the step running when close() began, plus one that may have just ended before it
    assertTrue(
        engine.decoderSteps() - before <= 2,
        "steps after close: " + (engine.decoderSteps() - before));
    assertFalse(stream.hasNext());
    engine.synthesize(request(shortSampled(1))); // capacity was released
  }

  @Test
  void overloadIsRejectedWithRetryAfter() throws InterruptedException {
    try (AudioStream running =
        engine.stream(request(SamplingOptions.builder().greedy(true).build()))) {
      OverloadedException e =
          assertThrows(OverloadedException.class, () -> engine.stream(request(shortSampled(1))));
      assertTrue(e.retryAfterSeconds() >= 1);
    }
    engine.synthesize(request(shortSampled(2))); // admitted as soon as the stream is closed
    awaitIdle();
  }

  @Test
  void unknownVoiceIsInvalid() {
    InvalidRequestException e =
        assertThrows(
            InvalidRequestException.class,
            () -> engine.stream(TtsRequest.builder().text(TEXT).voice("nobody").build()));
    assertEquals("voice", e.field());
  }

  /** The last chunk reaches the caller just before the worker closes its scope: wait for it. */
  private static void awaitIdle() throws InterruptedException {
    long deadline = System.nanoTime() + 10_000_000_000L;
    while (engine.inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertEquals(0, engine.inFlight(), "worker did not finish");
  }

  @Test
  void manyRequestsLeakNoNativeMemory() throws InterruptedException {
    int request = 0;
    for (; request < 10; request++) { // warm-up: allocator pools and JIT settle
      engine.synthesize(request(shortSampled(request)));
    }
    awaitIdle();
    int arrays = engine.model().liveArrays();
    long before = Long.MAX_VALUE;
    for (int round = 0; round < 3; round++) { // the minimum filters out transient allocations
      for (int i = 0; i < 10; i++, request++) {
        engine.synthesize(request(shortSampled(request)));
      }
      awaitIdle();
      before = Math.min(before, offHeapBytes());
    }
    for (int i = 0; i < 100; i++, request++) {
      engine.synthesize(request(shortSampled(request)));
    }
    long after = Long.MAX_VALUE;
    for (int round = 0; round < 3; round++) {
      for (int i = 0; i < 10; i++, request++) {
        engine.synthesize(request(shortSampled(request)));
      }
      awaitIdle();
      after = Math.min(after, offHeapBytes());
      assertEquals(arrays, engine.model().liveArrays(), "NDArrays left behind by requests");
    }
    long growth = after - before;
    assertTrue(
        growth < 32L << 20,
        "off-heap resident memory grew by " + ProcessMemory.mib(growth) + " over 130 requests");
  }

  /** Resident memory outside the Java heap (native tensors, libtorch, metaspace). */
  private static long offHeapBytes() {
    System.gc();
    return ProcessMemory.residentBytes() - Runtime.getRuntime().totalMemory();
  }
}
