package dev.parlance.tts.core.model.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parlance.tts.core.checkpoint.SafetensorsFile;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.kernel.WeightFormat;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.core.testing.Tensors;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * The T5 encoder against the reference {@code b*.t5_last_hidden_state} of every fixture: float32 at
 * the golden tolerance, bfloat16 projections (the packed dtype settings) within bf16 rounding.
 */
class T5EncoderGoldenTest {

  private static final String SUFFIX = ".t5_last_hidden_state";

  @TestFactory
  Stream<DynamicTest> matchesReferenceLastHiddenState() {
    return Fixtures.checkpoints().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.getFileName().toString(), () -> check(c, WeightFormat.FLOAT32)));
  }

  @TestFactory
  Stream<DynamicTest> bfloat16ProjectionsFollowTheReference() {
    return Fixtures.checkpoints().stream()
        .map(
            c ->
                DynamicTest.dynamicTest(
                    c.getFileName() + " bf16", () -> check(c, WeightFormat.BFLOAT16)));
  }

  /** The {@code text_encoder} section of a checkpoint's config.json. */
  static T5Config config(Path checkpoint) {
    try {
      JsonObject config =
          JsonParser.parseString(Files.readString(checkpoint.resolve("config.json")))
              .getAsJsonObject();
      return T5Config.fromJson(config.getAsJsonObject("text_encoder"));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void check(Path checkpoint, WeightFormat format) {
    try (TensorSource weights = TensorSource.open(checkpoint);
        SafetensorsFile golden = Fixtures.goldenTensors(checkpoint);
        NDManager manager = NDManager.newBaseManager("PyTorch");
        T5Encoder encoder =
            T5Encoder.load(weights, "text_encoder.", config(checkpoint), manager, format)) {
      List<String> cases =
          golden.names().stream().filter(n -> n.endsWith(SUFFIX)).sorted().toList();
      assertFalse(cases.isEmpty(), "no " + SUFFIX + " goldens");
      for (String name : cases) {
        String batch = name.substring(0, name.length() - SUFFIX.length());
        try (NDManager request = manager.newSubManager()) {
          NDArray ids = golden.load(batch + ".input_ids", request);
          NDArray mask = golden.load(batch + ".attention_mask", request);
          NDArray out = encoder.encode(ids, mask);
          assertSame(request, out.getManager());
          assertEquals(DataType.FLOAT32, out.getDataType());
          assertEquals(golden.info(name).djlShape(), out.getShape(), name);
          float[] expected = golden.readFloats(name);
          float[] actual = out.toFloatArray();
          if (format == WeightFormat.FLOAT32) {
            Tensors.assertClose(name, expected, actual);
          } else {
            // measured 0.76-0.82% on both fixtures (random weights; 8-bit mantissas)
            double error = Tensors.relativeRms(expected, actual);
            assertTrue(error < 1.5e-2, name + ": relative RMS error " + error);
          }
        }
      }
    }
  }
}
