package dev.parlance.tts.core.model.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.parlance.tts.core.device.DtypePolicy;
import dev.parlance.tts.core.kernel.WeightFormat;
import dev.parlance.tts.core.model.ParlerModel;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.core.tokenizer.TokenBatch;
import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The row estimate matches what the decoder really allocates for one request (the engine's path: a
 * batch-1 cache from an encoded description and a prompt), in float32 and float16, on both tiny
 * fixtures (MHA; GQA with fewer cross-attention heads), and the cache does not grow while decoding.
 */
class RowMemoryTest {

  @ParameterizedTest
  @CsvSource({
    "tiny-mini-v1-arch, FLOAT32",
    "tiny-mini-v1-arch, FLOAT16",
    "tiny-mini-v1-arch, INT8",
    "tiny-rope-gqa-fused, FLOAT32",
    "tiny-rope-gqa-fused, FLOAT16"
  })
  void cacheEstimateEqualsTheRealAllocation(String fixture, WeightFormat dtype) {
    DtypePolicy dtypes = DtypePolicy.of(dtype);
    try (ParlerModel model = ParlerModel.load(Fixtures.checkpoint(fixture), Device.cpu(), dtypes);
        NDManager request = model.newRequestManager()) {
      ParlerDecoder decoder = model.decoder();
      RowMemory memory = decoder.rowMemory();
      TokenBatch description =
          model.tokenizers().encodeDescriptions(List.of("A woman speaks slowly and clearly."));
      TokenBatch prompt = model.tokenizers().encodePrompts(List.of("Hello there, how are you?"));
      NDArray states = model.encodeDescriptions(description, request);
      int s = description.length();
      int p = prompt.length();
      int k = decoder.config().numCodebooks();
      for (int maxLength : new int[] {8, 40}) {
        int capacity = p + maxLength;
        try (KvCache cache =
            decoder.newCache(
                states, description.mask(), prompt.mask(), capacity, request.newSubManager())) {
          long allocated = cache.bytes();
          assertEquals(allocated, memory.cacheBytes(capacity, s), fixture + " " + dtype);

          // prefill the prompt and BOS column, then two single-column steps: still preallocated
          long[] bos = new long[k];
          Arrays.fill(bos, decoder.config().bosTokenId());
          try (NDManager step = request.newSubManager()) {
            decoder.step(cache, model.embedPrompts(prompt, step), bos, 1, step);
          }
          for (int i = 0; i < 2; i++) {
            try (NDManager step = request.newSubManager()) {
              decoder.step(cache, null, new long[k], 1, step);
            }
          }
          assertEquals(p + 3, cache.length());
          assertEquals(allocated, cache.bytes());
        }
      }
      // admitting a row also reserves its share of a step's intermediates
      long row = memory.rowBytes(p + 40, s);
      assertTrue(row > memory.cacheBytes(p + 40, s), "the step share is counted");
    }
  }
}
