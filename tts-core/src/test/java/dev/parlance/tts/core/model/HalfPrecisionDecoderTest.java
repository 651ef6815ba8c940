package dev.parlance.tts.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.parlance.tts.core.device.DtypePolicy;
import dev.parlance.tts.core.model.decoder.KvCache;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.core.testing.Tensors;
import java.nio.file.Path;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The decoder converted once at load to float16 (the GPU policy) still follows the fp32 reference
 * closely: teacher-forced logits of batch b1 within fp16 rounding.
 */
class HalfPrecisionDecoderTest {

  @ParameterizedTest
  @ValueSource(strings = {"tiny-mini-v1-arch", "tiny-rope-gqa-fused"})
  void teacherForcedLogitsInFloat16(String fixture) {
    Path dir = Fixtures.checkpoint(fixture);
    DtypePolicy half = new DtypePolicy(DataType.FLOAT16, DataType.FLOAT32, DataType.FLOAT32);
    try (ParlerModel model = ParlerModel.load(dir, Device.cpu(), half);
        NDManager request = model.newRequestManager();
        GoldenData golden = new GoldenData(Fixtures.goldenTensors(dir), request)) {
      int k = model.decoder().config().numCodebooks();
      long[][] input = golden.rows("b1.tf_decoder_input_ids");
      int m = input[0].length;
      long[] ids = new long[m * k];
      for (int t = 0; t < m; t++) {
        for (int c = 0; c < k; c++) {
          ids[t * k + c] = input[c][t];
        }
      }
      long[][] promptMask = golden.rows("b1.prompt_attention_mask");
      NDArray states = golden.array("b1.encoder_hidden_states");
      NDArray prompt = golden.array("b1.prompt_hidden_states");
      float[] actual;
      try (KvCache cache =
          model
              .decoder()
              .newCache(
                  states,
                  golden.rows("b1.attention_mask"),
                  promptMask,
                  promptMask[0].length + m,
                  request.newSubManager())) {
        actual = model.decoder().allLogits(cache, prompt, ids, m, request);
      }
      float[] expected = golden.floats("b1.tf_logits");
      assertEquals(expected.length, actual.length);
      Tensors.assertClose("fp16 b1.tf_logits", expected, actual, 3e-2, 3e-2);
    }
  }
}
