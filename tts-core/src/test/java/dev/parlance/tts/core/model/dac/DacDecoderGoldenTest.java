package dev.parlance.tts.core.model.dac;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parlance.tts.core.checkpoint.SafetensorsFile;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.core.testing.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/** The DAC decoder against every fixture's reference outputs (fp32, atol = rtol = 1e-4). */
class DacDecoderGoldenTest {
  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager("PyTorch");
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @TestFactory
  Stream<DynamicNode> everyFixture() {
    return Fixtures.checkpoints().stream()
        .map(dir -> dynamicContainer(dir.getFileName().toString(), fixtureTests(dir)));
  }

  private Stream<DynamicNode> fixtureTests(Path dir) {
    List<DynamicNode> tests = new ArrayList<>();
    tests.add(dynamicTest("architecture inferred from weights", () -> architecture(dir)));
    tests.add(dynamicTest("dac.latent (quantizer from_codes)", () -> latent(dir)));
    for (DacGoldenCase c : DacGoldenCase.all(dir)) {
      tests.add(dynamicTest(c.name() + ".audio", () -> audio(dir, c)));
    }
    tests.add(dynamicTest("a batch decodes like its rows", () -> batch(dir)));
    tests.add(dynamicTest("float16 compute still returns float32 audio", () -> halfPrecision(dir)));
    return tests.stream();
  }

  private static void architecture(Path dir) throws IOException {
    JsonObject expected = Fixtures.goldenJson(dir).getAsJsonObject("model").getAsJsonObject("dac");
    JsonObject audioEncoder =
        JsonParser.parseString(Files.readString(dir.resolve("config.json")))
            .getAsJsonObject()
            .getAsJsonObject("audio_encoder");
    try (TensorSource weights = TensorSource.open(dir);
        DacDecoder dac = DacDecoder.load(weights, "audio_encoder.", manager, DataType.FLOAT32)) {
      DacConfig config = dac.config();
      assertEquals(audioEncoder.get("num_codebooks").getAsInt(), config.numCodebooks());
      assertEquals(audioEncoder.get("codebook_size").getAsInt(), config.codebookSize());
      assertEquals(expected.get("codebook_dim").getAsInt(), config.codebookDim());
      assertEquals(expected.get("latent_dim").getAsInt(), config.latentDim());
      assertEquals(expected.get("decoder_dim").getAsInt(), config.decoderDim());
      int[] rates =
          expected.getAsJsonArray("decoder_rates").asList().stream()
              .mapToInt(e -> e.getAsInt())
              .toArray();
      assertArrayEquals(rates, config.decoderRates());
      assertEquals(expected.get("hop_length").getAsInt(), config.hopLength());
    }
  }

  private static void latent(Path dir) {
    try (TensorSource weights = TensorSource.open(dir);
        DacDecoder dac = DacDecoder.load(weights, "audio_encoder.", manager, DataType.FLOAT32);
        SafetensorsFile golden = Fixtures.goldenTensors(dir);
        NDManager scope = manager.newSubManager()) {
      NDArray codes = golden.load("dac.codes", scope);
      NDArray latent = dac.fromCodes(codes);
      assertEquals(new Shape(golden.info("dac.latent").shape()), latent.getShape());
      Tensors.assertClose("dac.latent", golden.readFloats("dac.latent"), latent.toFloatArray());
    }
  }

  private static void batch(Path dir) {
    DacGoldenCase c =
        DacGoldenCase.all(dir).stream()
            .filter(x -> x.name().equals("dac"))
            .findFirst()
            .orElseThrow();
    long[] reversed = new long[c.codes().length]; // a second, different row of the same length
    for (int i = 0; i < reversed.length; i++) {
      reversed[i] = c.codes()[reversed.length - 1 - i];
    }
    long[] both = new long[2 * reversed.length];
    System.arraycopy(c.codes(), 0, both, 0, reversed.length);
    System.arraycopy(reversed, 0, both, reversed.length, reversed.length);
    try (TensorSource weights = TensorSource.open(dir);
        DacDecoder dac = DacDecoder.load(weights, "audio_encoder.", manager, DataType.FLOAT32);
        NDManager scope = manager.newSubManager()) {
      Shape row = new Shape(1, c.codebooks(), c.frames());
      float[] first = dac.decode(scope.create(c.codes(), row)).toFloatArray();
      float[] second = dac.decode(scope.create(reversed, row)).toFloatArray();
      NDArray batch = dac.decode(scope.create(both, new Shape(2, c.codebooks(), c.frames())));
      assertEquals(new Shape(2, first.length), batch.getShape());
      float[] out = batch.toFloatArray();
      Tensors.assertClose(
          "batch row 0", first, Arrays.copyOfRange(out, 0, first.length), 1e-5, 1e-5);
      Tensors.assertClose(
          "batch row 1", second, Arrays.copyOfRange(out, first.length, out.length), 1e-5, 1e-5);
      Tensors.assertClose(
          "batch row 0 golden", c.audio(), Arrays.copyOfRange(out, 0, first.length));
    }
  }

  private static void halfPrecision(Path dir) {
    DacGoldenCase c = DacGoldenCase.all(dir).get(0);
    try (TensorSource weights = TensorSource.open(dir);
        DacDecoder dac = DacDecoder.load(weights, "audio_encoder.", manager, DataType.FLOAT16);
        NDManager scope = manager.newSubManager()) {
      NDArray audio = dac.decode(c.codesArray(scope));
      assertEquals(DataType.FLOAT32, audio.getDataType());
      // fp16 keeps ~3 significant digits; the reference and the goldens are fp32.
      Tensors.assertClose(
          c.name() + ".audio in float16", c.audio(), audio.toFloatArray(), 1e-2, 1e-2);
    }
  }

  private static void audio(Path dir, DacGoldenCase c) {
    try (TensorSource weights = TensorSource.open(dir);
        DacDecoder dac = DacDecoder.load(weights, "audio_encoder.", manager, DataType.FLOAT32);
        NDManager scope = manager.newSubManager()) {
      NDArray audio = dac.decode(c.codesArray(scope));
      assertEquals(
          new Shape(c.batch(), (long) c.frames() * dac.config().hopLength()), audio.getShape());
      assertEquals(DataType.FLOAT32, audio.getDataType());
      float[] untiled = audio.toFloatArray();
      Tensors.assertClose(c.name() + ".audio", c.audio(), untiled);
      // Time tiles (forced tiny here) must not change the result.
      for (long tile : new long[] {60, 300}) {
        dac.tileElements(tile);
        float[] tiled = dac.decode(c.codesArray(scope)).toFloatArray();
        Tensors.assertClose(c.name() + ".audio, tiles of " + tile, untiled, tiled, 1e-5, 1e-5);
      }
    }
  }
}
