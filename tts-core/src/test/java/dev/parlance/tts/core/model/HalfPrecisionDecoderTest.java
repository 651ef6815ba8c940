package dev.parlance.tts.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.Device;
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
 * closely: teacher-forced logits (batch 1 and the padded batch 2) within fp16 rounding, with no NaN
 * from the fully masked padded-prompt rows.
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
      for (String batch : new String[] {"b1", "b2"}) {
        int k = model.decoder().config().numCodebooks();
        int vocab = model.decoder().config().vocabSize();
        long[][] input = golden.rows(batch + ".tf_decoder_input_ids");
        int b = input.length / k;
        int m = input[0].length;
        long[] ids = new long[b * m * k];
        for (int bi = 0; bi < b; bi++) {
          for (int t = 0; t < m; t++) {
            for (int c = 0; c < k; c++) {
              ids[(bi * m + t) * k + c] = input[bi * k + c][t];
            }
          }
        }
        long[][] promptMask = golden.rows(batch + ".prompt_attention_mask");
        int p = promptMask[0].length;
        float[] actual;
        try (KvCache cache =
            model
                .decoder()
                .newCache(
                    golden.array(batch + ".encoder_hidden_states"),
                    golden.rows(batch + ".attention_mask"),
                    promptMask,
                    p + m,
                    request.newSubManager())) {
          actual =
              model
                  .decoder()
                  .allLogits(cache, golden.array(batch + ".prompt_hidden_states"), ids, m, request);
        }
        float[] expected = golden.floats(batch + ".tf_logits");
        assertEquals(expected.length, actual.length);
        // left-padded prompt positions attend to nothing real; their logits are not compared
        for (int row = 0; row < b * k; row++) {
          for (int pos = 0; pos < p; pos++) {
            if (promptMask[row / k][pos] == 0) {
              int base = (row * (p + m) + pos) * vocab;
              System.arraycopy(expected, base, actual, base, vocab);
            }
          }
        }
        Tensors.assertClose("fp16 " + batch + ".tf_logits", expected, actual, 3e-2, 3e-2);
      }
    }
  }
}
