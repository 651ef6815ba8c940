package dev.parlance.tts.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsEngines;
import dev.parlance.tts.spi.TtsRequest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The engine serves with packed decoder weights ({@code dtype} bfloat16 / int8 on the CPU): single
 * and concurrently batched requests give finite audio, and a seed still fixes the audio.
 */
class PackedWeightsEngineTest {

  private static TtsRequest request(long seed) {
    return TtsRequest.builder()
        .text("Hey, how are you doing today?")
        .description("A man says a calm and clear message very fast.")
        .sampling(SamplingOptions.builder().seed(seed).maxDuration(Duration.ofMillis(40)).build())
        .build();
  }

  @ParameterizedTest
  @ValueSource(strings = {"bfloat16", "int8"})
  void servesWithPackedWeights(String dtype) throws Exception {
    try (TtsEngine engine =
        TtsEngines.load(
            "parler",
            TtsEngineConfig.builder()
                .model(Fixtures.checkpoint("tiny-rope-gqa-fused").toString())
                .device("cpu")
                .dtype(dtype)
                .option("max_batch_size", "4")
                .option("phrase_cache_bytes", "0")
                .build())) {
      float[] alone = engine.synthesize(request(7)).samples();
      assertTrue(alone.length > 0, dtype + ": no audio");
      for (float s : alone) {
        assertTrue(Float.isFinite(s), dtype + ": non-finite sample");
      }
      assertArrayEquals(alone, engine.synthesize(request(7)).samples(), dtype + ": seed");

      ExecutorService pool = Executors.newFixedThreadPool(4);
      try {
        List<Future<float[]>> batched = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
          long seed = 100 + i;
          batched.add(pool.submit(() -> engine.synthesize(request(seed)).samples()));
        }
        for (Future<float[]> f : batched) {
          float[] audio = f.get();
          assertTrue(audio.length > 0, dtype + ": a batched row produced no audio");
        }
      } finally {
        pool.shutdownNow();
      }
    }
  }
}
