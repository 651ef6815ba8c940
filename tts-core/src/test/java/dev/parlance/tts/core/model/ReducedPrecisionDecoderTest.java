package dev.parlance.tts.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDManager;
import dev.parlance.tts.core.device.DtypePolicy;
import dev.parlance.tts.core.kernel.WeightFormat;
import dev.parlance.tts.core.model.decoder.KvCache;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.core.testing.Tensors;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The decoder with reduced-precision weights still follows the fp32 reference: teacher-forced
 * logits (batch 1 and the padded batch 2) of both fixtures within the format's rounding, with no
 * NaN from the fully masked padded-prompt rows. float16 runs activations in fp16 too; bfloat16 and
 * int8 round only the weights (and, inside each product, the activations to bf16).
 */
class ReducedPrecisionDecoderTest {

  /**
   * Bounds on the relative RMS error and on the largest error as a fraction of the largest logit
   * (|logit| reaches ~80 here). Measured on these fixtures: float16 4e-4 / 0.06%, bfloat16 3.4e-3 /
   * 0.7%, int8 4.8e-3 / 0.7%; the bounds leave about twice that.
   */
  static Stream<Arguments> formats() {
    return Stream.of("tiny-mini-v1-arch", "tiny-rope-gqa-fused")
        .flatMap(
            fixture ->
                Stream.of(
                    Arguments.of(fixture, WeightFormat.FLOAT16, 1e-3, 2e-3),
                    Arguments.of(fixture, WeightFormat.BFLOAT16, 7e-3, 1.5e-2),
                    Arguments.of(fixture, WeightFormat.INT8, 1e-2, 1.5e-2)));
  }

  @ParameterizedTest(name = "{0} {1}")
  @MethodSource("formats")
  void teacherForcedLogitsFollowFloat32(
      String fixture, WeightFormat format, double rmsBound, double maxBound) {
    Path dir = Fixtures.checkpoint(fixture);
    try (ParlerModel model = ParlerModel.load(dir, Device.cpu(), DtypePolicy.of(format));
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
        double worst = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
          worst = Math.max(worst, Math.abs(expected[i] - actual[i]));
          scale = Math.max(scale, Math.abs(expected[i]));
        }
        double relativeRms = Tensors.relativeRms(expected, actual);
        String what = fixture + " " + format + " " + batch;
        assertTrue(relativeRms < rmsBound, what + ": relative RMS error " + relativeRms);
        assertTrue(worst < maxBound * scale, what + ": max error " + worst + " of " + scale);
      }
    }
  }
}
