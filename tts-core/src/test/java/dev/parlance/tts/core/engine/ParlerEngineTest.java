package dev.parlance.tts.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDManager;
import com.google.gson.JsonObject;
import dev.parlance.tts.core.checkpoint.SafetensorsFile;
import dev.parlance.tts.core.generation.Generation;
import dev.parlance.tts.core.generation.SamplingSettings;
import dev.parlance.tts.core.model.Conditioning;
import dev.parlance.tts.core.model.ParlerModel;
import dev.parlance.tts.core.model.dac.DacStreamDecoder;
import dev.parlance.tts.core.model.dac.ReceptiveField;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.core.testing.Tensors;
import dev.parlance.tts.core.text.LongTextPlanner;
import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.CancelledException;
import dev.parlance.tts.spi.EngineUnavailableException;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.OverloadedException;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsEngines;
import dev.parlance.tts.spi.TtsRequest;
import dev.parlance.tts.spi.Voice;
import dev.parlance.tts.spi.VoiceInfo;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The {@code parler} engine on the tiny mini-v1-shaped fixture checkpoint, through the SPI: the
 * phrase cache is off here so every request runs the model (caching: {@link ParlerEngineCacheTest};
 * batch invariance: {@link ParlerBatchingTest}).
 */
class ParlerEngineTest {
  private static final String TEXT = "Hey, how are you doing today?";
  private static final String DESCRIPTION = "A man says a calm and clear message very fast.";
  private static final int IN_FLIGHT = 3;
  private static final SimpleMeterRegistry REGISTRY = new SimpleMeterRegistry();
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
                    .option("max_in_flight", Integer.toString(IN_FLIGHT))
                    .option("queue_size", "0")
                    .option("max_batch_size", "2")
                    .option("phrase_cache_bytes", "0")
                    .option("max_text_chars", "600")
                    .build());
    engine.metrics().bindTo(REGISTRY);
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

  private static SamplingOptions greedy(int millis) {
    return SamplingOptions.builder().greedy(true).maxDuration(Duration.ofMillis(millis)).build();
  }

  @Test
  void providerResolvesTheDirectoryAndReportsWarm() {
    assertInstanceOf(ParlerEngineProvider.class, TtsEngines.provider("parler"));
    assertEquals("parler", engine.name());
    assertTrue(engine.health().ready());
    assertTrue(engine.health().warm(), engine.health().detail());
    assertEquals(44_100, engine.audioFormat().sampleRate());
    assertEquals(
        Fixtures.checkpoint("tiny-mini-v1-arch").toAbsolutePath().normalize().toString(),
        engine.modelId());
    assertTrue(engine.revision().startsWith("local-"), engine.revision());
  }

  @Test
  void voicesListTheDefaultFirst() {
    List<VoiceInfo> voices = engine.voices();
    assertEquals(Voice.Preset.DEFAULT, voices.get(0).name());
    assertTrue(voices.stream().anyMatch(v -> v.name().equals("jon")));
  }

  @Test
  void streamedChunksEqualTheOfflineDecode() {
    List<AudioChunk> chunks = new ArrayList<>();
    try (AudioStream stream = engine.stream(request(greedy(12)))) {
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
    String prompt = new LongTextPlanner(600).plan(TEXT).get(0);
    float[] offline;
    try (NDManager scope = model.newRequestManager()) {
      Conditioning c = model.condition(List.of(DESCRIPTION), List.of(prompt), scope);
      Generation g = model.generate(c, settings, scope, null);
      offline = model.decodeAudio(g.codes()).item(0);
    }
    Tensors.assertClose("streamed vs offline audio", offline, streamed);
  }

  /**
   * With blocks longer than the DAC needs, the first audio comes from the shortest window that
   * emits any ({@link DacStreamDecoder#earliestFirstChunk}), not from a full block.
   */
  @Test
  void firstAudioDoesNotWaitForAFullBlock() {
    ParlerModel model = engine.model();
    int earliest = DacStreamDecoder.earliestFirstChunk(model.dac());
    int block = 2 * earliest;
    ReceptiveField field = model.dac().receptiveField();
    try (TtsEngine large =
        TtsEngines.load(
            "parler",
            TtsEngineConfig.builder()
                .model(Fixtures.checkpoint("tiny-mini-v1-arch").toString())
                .device("cpu")
                .dtype("float32")
                .option("chunk_frames", Integer.toString(block))
                .option("phrase_cache_bytes", "0")
                .build())) {
      int millis = (int) Math.ceil(3000.0 * block / model.dac().config().frameRate());
      List<AudioChunk> chunks = new ArrayList<>();
      try (AudioStream stream = large.stream(request(greedy(millis)))) {
        stream.forEachRemaining(chunks::add);
      }
      assertTrue(chunks.size() > 2, "expected several chunks, got " + chunks.size());
      int hop = field.hopLength();
      assertEquals(
          earliest * hop - field.rightSamples(),
          chunks.get(0).samples().length,
          "the first chunk is the earliest window's final audio");
      assertEquals(block * hop, chunks.get(1).samples().length, "later chunks are full blocks");
    }
  }

  @Test
  void streamedGreedyAudioMatchesTheReferenceWhenEosEndsIt() {
    JsonObject b1x =
        Fixtures.goldenJson(Fixtures.checkpoint("tiny-mini-v1-arch"))
            .getAsJsonObject("inputs")
            .getAsJsonObject("b1x");
    TtsRequest request =
        TtsRequest.builder()
            .text(b1x.getAsJsonArray("prompts").get(0).getAsString())
            .description(b1x.getAsJsonArray("descriptions").get(0).getAsString())
            .sampling(SamplingOptions.builder().greedy(true).build())
            .build();
    List<AudioChunk> chunks = new ArrayList<>();
    try (AudioStream stream = engine.stream(request)) {
      stream.forEachRemaining(chunks::add);
    }
    assertTrue(chunks.size() > 3, "expected several chunks, got " + chunks.size());
    float[] expected;
    try (SafetensorsFile golden =
        Fixtures.goldenTensors(Fixtures.checkpoint("tiny-mini-v1-arch"))) {
      expected = golden.readFloats("gen_eos.audio"); // greedy run that stopped at EOS
    }
    Tensors.assertClose(
        "streamed gen_eos audio",
        expected,
        AudioClip.concat(chunks, engine.audioFormat()).samples());
  }

  @Test
  void badOptionIsNamedBeforeLoading() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TtsEngines.load(
                    "parler",
                    TtsEngineConfig.builder()
                        .model(Fixtures.checkpoint("tiny-mini-v1-arch").toString())
                        .device("cpu")
                        .option("queue_size", "-1")
                        .build()));
    assertTrue(e.getMessage().contains("queue_size"), e.getMessage());
  }

  @Test
  void aBadVoicesFileIsNamedBeforeTheModelLoads(@TempDir Path dir) throws Exception {
    Path voices =
        Files.writeString(dir.resolve("voices.json"), "{\"voices\": [{\"name\": \"x\"}]}");
    // The model directory is empty: had the model been loaded first, this would be unavailable.
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                TtsEngines.load(
                    "parler",
                    TtsEngineConfig.builder()
                        .model(dir.toString())
                        .device("cpu")
                        .option("voices_file", voices.toString())
                        .build()));
    assertTrue(e.getMessage().startsWith("voices file " + voices + ": "), e.getMessage());
  }

  @Test
  void aDirectoryWithoutCheckpointIsUnavailable(@TempDir Path empty) {
    assertThrows(
        EngineUnavailableException.class,
        () ->
            TtsEngines.load(
                "parler", TtsEngineConfig.builder().model(empty.toString()).device("cpu").build()));
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
    AudioStream stream = engine.stream(request(SamplingOptions.builder().greedy(true).build()));
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
  void aDeadlineStopsTheRequestAndFreesItsSlot() throws InterruptedException {
    TtsRequest late =
        TtsRequest.builder()
            .text(TEXT)
            .description(DESCRIPTION)
            .sampling(SamplingOptions.builder().greedy(true).build())
            .deadline(Instant.now().plusMillis(40))
            .build();
    CancelledException e =
        assertThrows(CancelledException.class, () -> engine.stream(late).readAll());
    assertTrue(e.deadlineExceeded(), e.getMessage());
    awaitIdle();
  }

  @Test
  void overloadIsRejectedAtOnceWithRetryAfter() throws InterruptedException {
    List<AudioStream> running = new ArrayList<>();
    try {
      for (int i = 0; i < IN_FLIGHT; i++) {
        running.add(engine.stream(request(SamplingOptions.builder().greedy(true).build())));
      }
      long start = System.nanoTime();
      OverloadedException e =
          assertThrows(OverloadedException.class, () -> engine.stream(request(shortSampled(1))));
      assertTrue(System.nanoTime() - start < 1_000_000_000L, "refusal must not wait");
      assertTrue(e.retryAfterSeconds() >= 1);
    } finally {
      running.forEach(AudioStream::close);
    }
    awaitIdle();
    engine.synthesize(request(shortSampled(2))); // admitted again once the streams closed
  }

  @Test
  void unknownVoiceIsInvalidAndNamesTheValidOnes() {
    InvalidRequestException e =
        assertThrows(
            InvalidRequestException.class,
            () -> engine.stream(TtsRequest.builder().text(TEXT).voice("nobody").build()));
    assertEquals("voice", e.field());
    assertTrue(e.getMessage().contains("nobody") && e.getMessage().contains("jon"), e.getMessage());
  }

  @Test
  void overLongTextIsInvalid() {
    String text = "This sentence is long enough. ".repeat(25); // 750 characters > 600
    InvalidRequestException e =
        assertThrows(
            InvalidRequestException.class, () -> engine.stream(TtsRequest.of(text.strip())));
    assertEquals("text", e.field());
    assertEquals(0, engine.inFlight());
  }

  @Test
  void longTextIsSpokenChunkByChunkWithOneSeed() {
    // two chunks of at most 250 characters
    String text =
        "The first sentence of a long text is here, and it goes on for a while to fill a chunk. "
                .repeat(3)
            + "Then the second part starts, which the planner packs into a chunk of its own. "
                .repeat(2);
    assertEquals(2, new LongTextPlanner(600).plan(text).size());
    TtsRequest r =
        TtsRequest.builder().text(text).description(DESCRIPTION).sampling(shortSampled(7)).build();
    long before = engine.decoderSteps();
    AudioClip a = engine.synthesize(r);
    long steps = engine.decoderSteps() - before;
    int k = engine.model().decoder().config().numCodebooks();
    int frames = (int) Math.ceil(0.012 * engine.model().dac().config().frameRate());
    assertTrue(steps >= 2 * (frames + k - 1) - 2, "both chunks decoded: " + steps + " steps");
    assertArrayEquals(a.samples(), engine.synthesize(r).samples(), "same seed, same stitching");
  }

  @Test
  void timeToFirstChunkDoesNotGrowWithUtteranceLength() {
    long shortTtfc = Long.MAX_VALUE;
    long longTtfc = Long.MAX_VALUE;
    long longTotal = Long.MAX_VALUE;
    for (int i = 0; i < 3; i++) { // minimum of three: the machine is shared
      shortTtfc = Math.min(shortTtfc, firstChunkNanos(greedy(8))[0]);
      long[] l = firstChunkNanos(greedy(30));
      longTtfc = Math.min(longTtfc, l[0]);
      longTotal = Math.min(longTotal, l[1]);
    }
    assertTrue(
        longTtfc < 2 * shortTtfc + 20_000_000L,
        "first chunk after " + longTtfc / 1e6 + " ms (long) vs " + shortTtfc / 1e6 + " ms (short)");
    assertTrue(longTotal > 2 * longTtfc, "the long utterance kept streaming after its first chunk");
  }

  /** {time to first chunk, total time} of one greedy request. */
  private static long[] firstChunkNanos(SamplingOptions sampling) {
    long start = System.nanoTime();
    long first = -1;
    try (AudioStream s = engine.stream(request(sampling))) {
      while (s.hasNext()) {
        AudioChunk c = s.next();
        if (first < 0 && c.samples().length > 0) {
          first = System.nanoTime() - start;
        }
      }
    }
    return new long[] {first, System.nanoTime() - start};
  }

  @Test
  void manyThreadsNoDeadlockBoundsHeld() {
    int threads = 8;
    int perThread = 6;
    AtomicInteger ok = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    AtomicInteger maxInFlight = new AtomicInteger();
    List<Throwable> errors = Collections.synchronizedList(new ArrayList<>());
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    assertTimeoutPreemptively(
        Duration.ofSeconds(120),
        () -> {
          List<Future<?>> futures = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            int id = t;
            futures.add(
                pool.submit(
                    () -> {
                      for (int i = 0; i < perThread; i++) {
                        try (AudioStream s = engine.stream(request(shortSampled(id * 100 + i)))) {
                          maxInFlight.accumulateAndGet(engine.inFlight(), Math::max);
                          if (i % 3 == 2) {
                            s.next(); // cancel mid-stream
                          } else {
                            s.readAll();
                          }
                          ok.incrementAndGet();
                        } catch (OverloadedException e) {
                          refused.incrementAndGet();
                        } catch (RuntimeException e) {
                          errors.add(e);
                        }
                      }
                    }));
          }
          for (Future<?> f : futures) {
            f.get();
          }
        });
    pool.shutdown();
    assertTrue(errors.isEmpty(), "errors: " + errors);
    assertEquals(threads * perThread, ok.get() + refused.get());
    assertTrue(ok.get() > 0);
    assertTrue(maxInFlight.get() <= IN_FLIGHT, "in flight " + maxInFlight.get());
    double batch = REGISTRY.get("tts.batch.size").summary().max();
    assertTrue(batch >= 1 && batch <= 2, "rows per step " + batch + " (max_batch_size 2)");
    assertTimeoutPreemptively(Duration.ofSeconds(10), ParlerEngineTest::awaitIdle);
  }

  /** Every admission slot is given back (the scheduler closes tickets before streams end). */
  private static void awaitIdle() throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    while (engine.inFlight() > 0 && System.nanoTime() < deadline) {
      Thread.sleep(2);
    }
    assertEquals(0, engine.inFlight(), "slots still held");
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
