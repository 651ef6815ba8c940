package dev.parlance.tts.core.engine;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.core.testing.Tensors;
import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsEngines;
import dev.parlance.tts.spi.TtsRequest;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Continuous batching is invisible in the output: a request decoded alone and decoded while other
 * requests join and leave the batch at other positions gives the same audio, greedy or sampled with
 * a fixed seed, on both tiny fixtures (absolute positions + MHA; RoPE + GQA + fused heads), also
 * when a neighbour is cancelled mid-stream.
 */
class ParlerBatchingTest {
  private static final String[] TEXTS = {
    "Hey, how are you doing today?", "Fine.", "The quick brown fox jumps over the lazy dog.", "Yes"
  };
  private static final String[] DESCRIPTIONS = {
    "A man says a calm and clear message very fast.",
    "A woman speaks slowly.",
    "A man says a calm and clear message very fast.",
    "A very expressive and animated female voice, recorded close up in a quiet room."
  };
  private static final int[] MILLIS = {20, 8, 15, 12};

  private static List<TtsRequest> requests(boolean greedy) {
    List<TtsRequest> out = new ArrayList<>();
    for (int i = 0; i < TEXTS.length; i++) {
      SamplingOptions.Builder s =
          SamplingOptions.builder().maxDuration(Duration.ofMillis(MILLIS[i]));
      s = greedy ? s.greedy(true) : s.seed(1000 + i);
      out.add(
          TtsRequest.builder()
              .text(TEXTS[i])
              .description(DESCRIPTIONS[i])
              .sampling(s.build())
              .build());
    }
    return out;
  }

  /**
   * With {@code batch_across_rows} (T5 and DAC batched across rows) the tokens stay the same and
   * the audio may differ by float rounding where rows' DAC windows lined up (libtorch's conv rounds
   * differently at another batch size); by default it is identical.
   */
  @ParameterizedTest
  @CsvSource({
    "tiny-mini-v1-arch, false",
    "tiny-rope-gqa-fused, false",
    "tiny-mini-v1-arch, true",
    "tiny-rope-gqa-fused, true"
  })
  void outputAloneEqualsOutputInsideABatch(String fixture, boolean batchAcrossRows) {
    SimpleMeterRegistry registry = new SimpleMeterRegistry();
    try (ParlerEngine engine =
        (ParlerEngine)
            TtsEngines.load(
                "parler",
                TtsEngineConfig.builder()
                    .model(Fixtures.checkpoint(fixture).toString())
                    .device("cpu")
                    .dtype("float32")
                    .option("chunk_frames", "4")
                    .option("max_in_flight", "5")
                    .option("max_batch_size", "5")
                    .option("phrase_cache_bytes", "0")
                    .option("batch_across_rows", Boolean.toString(batchAcrossRows))
                    .build())) {
      engine.metrics().bindTo(registry);
      for (boolean greedy : new boolean[] {true, false}) {
        List<TtsRequest> requests = requests(greedy);
        List<float[]> alone = new ArrayList<>();
        for (TtsRequest r : requests) {
          alone.add(engine.synthesize(r).samples());
        }
        // Each request joins once the previous one is streaming, so rows sit at other positions.
        List<AudioStream> streams = new ArrayList<>();
        List<List<AudioChunk>> received = new ArrayList<>();
        for (TtsRequest r : requests) {
          AudioStream s = engine.stream(r);
          List<AudioChunk> chunks = new ArrayList<>();
          chunks.add(s.next());
          streams.add(s);
          received.add(chunks);
        }
        // A neighbour that is cancelled mid-stream leaves within a step and disturbs nobody.
        AudioStream cancelled =
            engine.stream(
                TtsRequest.builder()
                    .text(TEXTS[0])
                    .description(DESCRIPTIONS[3])
                    .sampling(SamplingOptions.builder().greedy(true).build())
                    .build());
        cancelled.next();
        cancelled.close();
        for (int i = 0; i < streams.size(); i++) {
          try (AudioStream s = streams.get(i)) {
            s.forEachRemaining(received.get(i)::add);
          }
          float[] batched = AudioClip.concat(received.get(i), engine.audioFormat()).samples();
          assertTrue(alone.get(i).length > 0);
          String what = fixture + (greedy ? " greedy" : " sampled") + " request " + i;
          if (batchAcrossRows) {
            Tensors.assertClose(what, alone.get(i), batched, 1e-5, 1e-5);
          } else {
            assertArrayEquals(alone.get(i), batched, what);
          }
        }
        assertTrue(
            registry.get("tts.batch.size").summary().max() >= 2, "requests shared decoder steps");
      }
      assertEquals(18, registry.get("tts.requests").counter().count());
      assertEquals(2, registry.get("tts.errors").tag("type", "cancelled").counter().count());
    }
  }
}
