package dev.parlance.tts.samples.embed;

import dev.parlance.tts.core.runtime.Prewarm;
import dev.parlance.tts.core.runtime.RuntimeConfig;
import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.OverloadedException;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsEngines;
import dev.parlance.tts.spi.TtsRequest;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * A host application embedding the Parler engine in-process: admission limits, batching, the phrase
 * cache (memory and disk) and start-up pre-warming are set with a typed {@link RuntimeConfig} and
 * handed to the engine through the SPI's options.
 *
 * <p>Run: {@code EmbeddedEngineSample [model] [output-dir]}. It streams one utterance (printing the
 * time to the first chunk), asks for it again (a phrase-cache hit), then sends a burst of
 * concurrent requests and shows how overload comes back: at once, with a retry-after.
 */
public final class EmbeddedEngineSample {
  private EmbeddedEngineSample() {}

  public static void main(String[] args) throws Exception {
    String model = args.length > 0 ? args[0] : "parler-tts/parler-tts-mini-v1";
    Path out = Path.of(args.length > 1 ? args[1] : "parlance-sample-out");
    Files.createDirectories(out);

    RuntimeConfig runtime =
        RuntimeConfig.builder()
            .maxInFlight(4) // requests synthesising at once
            .queueCapacity(4) // waiting beyond that; more are refused with a retry-after
            .maxQueueWait(Duration.ofSeconds(5))
            .maxBatchSize(4) // rows per batched decoder step
            .phraseCacheBytes(64L << 20)
            .diskCacheDir(out.resolve("phrase-cache")) // survives restarts
            .prewarm(new Prewarm(List.of("Hello! How can I help you today?"), List.of("jon")))
            .build();
    TtsEngineConfig config =
        TtsEngineConfig.builder().model(model).device("auto").options(runtime.toOptions()).build();

    try (TtsEngine engine = TtsEngines.load("parler", config)) {
      System.out.println("engine: " + engine.name() + " " + engine.modelId());
      System.out.println("health: " + engine.health());
      engine.voices().forEach(v -> System.out.println("voice: " + v.name()));

      TtsRequest request =
          TtsRequest.builder()
              .text("Thanks for calling. Your order of $42.50 ships on the 3rd.")
              .voice("jon") // a preset: description plus a fixed seed, so it is cacheable
              .build();

      long start = System.nanoTime();
      List<AudioChunk> chunks = new ArrayList<>();
      try (AudioStream stream = engine.stream(request)) {
        while (stream.hasNext()) {
          AudioChunk chunk = stream.next();
          if (chunks.isEmpty()) {
            System.out.printf("first chunk after %d ms%n", (System.nanoTime() - start) / 1_000_000);
          }
          chunks.add(chunk);
        }
      }
      AudioClip clip = AudioClip.concat(chunks, engine.audioFormat());
      System.out.printf(
          "streamed %.2f s of audio in %d ms%n",
          clip.duration().toMillis() / 1000.0, (System.nanoTime() - start) / 1_000_000);
      writeWav(out.resolve("streamed.wav"), clip);

      start = System.nanoTime();
      engine.synthesize(request);
      System.out.printf("again (phrase cache): %d ms%n", (System.nanoTime() - start) / 1_000_000);

      burst(engine, 12);
    }
  }

  /** Many callers at once: some wait their turn, the rest are refused at once. */
  private static void burst(TtsEngine engine, int callers) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(callers);
    List<Future<String>> results = new ArrayList<>();
    for (int i = 0; i < callers; i++) {
      TtsRequest r =
          TtsRequest.builder()
              .text("Caller number " + (i + 1) + ", please hold.")
              .voice("lea")
              .sampling(SamplingOptions.builder().seed(i).build())
              .build();
      results.add(
          pool.submit(
              () -> {
                try {
                  AudioClip c = engine.synthesize(r);
                  return "ok, " + c.duration().toMillis() + " ms of audio";
                } catch (OverloadedException e) {
                  return "refused, retry after " + e.retryAfterSeconds() + " s";
                }
              }));
    }
    for (int i = 0; i < callers; i++) {
      System.out.println("caller " + (i + 1) + ": " + results.get(i).get());
    }
    pool.shutdown();
  }

  /** A 16-bit PCM WAV file. */
  private static void writeWav(Path file, AudioClip clip) throws IOException {
    byte[] pcm = clip.pcm16LittleEndian();
    int rate = clip.format().sampleRate();
    int channels = clip.format().channels();
    ByteBuffer b = ByteBuffer.allocate(44 + pcm.length).order(ByteOrder.LITTLE_ENDIAN);
    b.put("RIFF".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(36 + pcm.length);
    b.put("WAVEfmt ".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(16);
    b.putShort((short) 1).putShort((short) channels).putInt(rate).putInt(rate * channels * 2);
    b.putShort((short) (channels * 2)).putShort((short) 16);
    b.put("data".getBytes(java.nio.charset.StandardCharsets.US_ASCII)).putInt(pcm.length).put(pcm);
    Files.write(file, b.array());
  }
}
