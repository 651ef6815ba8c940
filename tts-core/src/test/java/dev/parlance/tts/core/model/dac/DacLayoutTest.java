package dev.parlance.tts.core.model.dac;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.parlance.tts.core.checkpoint.CheckpointException;
import dev.parlance.tts.core.checkpoint.SafetensorsWriter;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.core.testing.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every weight layout of spec §1.4 decodes the same audio: each fixture's DAC (old-style weight
 * norm) is rewritten into the other layouts with {@link SafetensorsWriter}. Also the load errors.
 */
class DacLayoutTest {
  private static final String PREFIX = "audio_encoder.";
  private static NDManager manager;

  @TempDir Path tmp;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager("PyTorch");
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  static Stream<Path> fixtures() {
    return Fixtures.checkpoints().stream();
  }

  /** A checkpoint's DAC tensors as fp32 host values, in file order. */
  private record Tensor(long[] shape, float[] values) {}

  private static Map<String, Tensor> dacTensors(Path checkpoint) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    try (TensorSource source = TensorSource.open(checkpoint)) {
      for (String name : source.names()) {
        if (name.startsWith(PREFIX)) {
          out.put(name, new Tensor(source.info(name).shape(), source.readFloats(name)));
        }
      }
    }
    // The rewrites below start from the old-style weight norm that the fixtures use.
    assumeTrue(
        out.keySet().stream().anyMatch(n -> n.endsWith(".weight_g")),
        "fixture DAC is not stored as weight_g/weight_v");
    return out;
  }

  private Path write(String fileName, Map<String, Tensor> tensors) throws IOException {
    SafetensorsWriter writer = new SafetensorsWriter().metadata("format", "pt");
    tensors.forEach((name, t) -> writer.addFloats(name, t.shape(), t.values()));
    Path file = tmp.resolve(fileName);
    writer.write(file);
    return file;
  }

  private static float[] decode(Path weightsFile, DacGoldenCase c, DacLayout expectedLayout) {
    try (TensorSource weights = TensorSource.open(weightsFile);
        DacDecoder dac = DacDecoder.load(weights, PREFIX, manager, DataType.FLOAT32);
        NDManager scope = manager.newSubManager()) {
      assertEquals(expectedLayout, dac.layout());
      return dac.decode(c.codesArray(scope)).toFloatArray();
    }
  }

  private static DacGoldenCase dacCase(Path checkpoint) {
    return DacGoldenCase.all(checkpoint).stream()
        .filter(c -> c.name().equals("dac"))
        .findFirst()
        .orElseThrow();
  }

  /** Folds weight_g/weight_v pairs with NDArray ops (independent of the loader's host fold). */
  private static Map<String, Tensor> folded(Map<String, Tensor> weightNorm) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    weightNorm.forEach(
        (name, t) -> {
          if (name.endsWith(".weight_g")) {
            return;
          }
          if (!name.endsWith(".weight_v")) {
            out.put(name, t);
            return;
          }
          String module = name.substring(0, name.length() - ".weight_v".length());
          Tensor g = weightNorm.get(module + ".weight_g");
          try (NDManager m = manager.newSubManager()) {
            NDArray v = m.create(t.values(), new Shape(t.shape()));
            NDArray norm = v.square().sum(new int[] {1, 2}, true).sqrt();
            NDArray w = v.div(norm).mul(m.create(g.values(), new Shape(g.shape())));
            out.put(module + ".weight", new Tensor(t.shape(), w.toFloatArray()));
          }
        });
    return out;
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void parametrizationsNamingDecodesIdentically(Path checkpoint) throws IOException {
    Map<String, Tensor> renamed = new LinkedHashMap<>();
    dacTensors(checkpoint)
        .forEach(
            (name, t) ->
                renamed.put(
                    name.replaceAll("\\.weight_g$", ".parametrizations.weight.original0")
                        .replaceAll("\\.weight_v$", ".parametrizations.weight.original1"),
                    t));
    DacGoldenCase c = dacCase(checkpoint);
    float[] reference = decode(checkpoint, c, DacLayout.WEIGHT_NORM);
    float[] audio = decode(write("a-prime.safetensors", renamed), c, DacLayout.PARAMETRIZATIONS);
    assertArrayEquals(reference, audio);
    Tensors.assertClose("parametrizations audio", c.audio(), audio);
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void foldedDescriptNamingDecodesTheSame(Path checkpoint) throws IOException {
    DacGoldenCase c = dacCase(checkpoint);
    float[] reference = decode(checkpoint, c, DacLayout.WEIGHT_NORM);
    float[] audio =
        decode(write("folded.safetensors", folded(dacTensors(checkpoint))), c, DacLayout.FOLDED);
    Tensors.assertClose("folded vs weight-norm audio", reference, audio, 1e-5, 1e-5);
    Tensors.assertClose("folded audio", c.audio(), audio);
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void transformersDacModelLayoutDecodesTheSame(Path checkpoint) throws IOException {
    Map<String, Tensor> weightNorm = dacTensors(checkpoint);
    int blocks = 0;
    while (weightNorm.containsKey(
        PREFIX + "model.decoder.model." + (blocks + 1) + ".block.1.weight_v")) {
      blocks++;
    }
    Map<String, Tensor> transformers = new LinkedHashMap<>();
    int n = blocks;
    folded(weightNorm).forEach((name, t) -> transformers.put(toTransformersName(name, n), t));
    assertTrue(transformers.containsKey(PREFIX + "decoder.block.0.res_unit3.conv2.weight"));

    DacGoldenCase c = dacCase(checkpoint);
    float[] reference = decode(checkpoint, c, DacLayout.WEIGHT_NORM);
    float[] audio =
        decode(write("transformers.safetensors", transformers), c, DacLayout.TRANSFORMERS);
    Tensors.assertClose("transformers vs weight-norm audio", reference, audio, 1e-5, 1e-5);
    Tensors.assertClose("transformers audio", c.audio(), audio);
  }

  private static final Pattern BLOCK =
      Pattern.compile("decoder\\.model\\.(\\d+)\\.block\\.(\\d+)\\.(.*)");
  private static final Pattern UNIT = Pattern.compile("block\\.(\\d)\\.?(.*)");

  /** descript {@code dac} key -> transformers {@code DacModel} key (spec §1.4, flavour B). */
  private static String toTransformersName(String name, int blocks) {
    String rest = name.substring((PREFIX + "model.").length());
    if (rest.startsWith("quantizer.") || rest.startsWith("encoder.")) {
      return PREFIX + rest;
    }
    Matcher m = BLOCK.matcher(rest);
    if (m.matches()) {
      int block = Integer.parseInt(m.group(1)) - 1;
      int child = Integer.parseInt(m.group(2));
      String tail = m.group(3);
      String base = PREFIX + "decoder.block." + block + ".";
      if (child == 0) {
        return base + "snake1." + tail;
      }
      if (child == 1) {
        return base + "conv_t1." + tail;
      }
      Matcher u = UNIT.matcher(tail);
      if (!u.matches()) {
        throw new IllegalArgumentException(name);
      }
      String field =
          List.of("snake1", "conv1", "snake2", "conv2").get(Integer.parseInt(u.group(1)));
      return base + "res_unit" + (child - 1) + "." + field + "." + u.group(2);
    }
    String first = "decoder.model.0.";
    String snake = "decoder.model." + (blocks + 1) + ".";
    String out = "decoder.model." + (blocks + 2) + ".";
    if (rest.startsWith(first)) {
      return PREFIX + "decoder.conv1." + rest.substring(first.length());
    }
    if (rest.startsWith(snake)) {
      return PREFIX + "decoder.snake1." + rest.substring(snake.length());
    }
    if (rest.startsWith(out)) {
      return PREFIX + "decoder.conv2." + rest.substring(out.length());
    }
    throw new IllegalArgumentException("unmapped " + name);
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void missingDecodePathTensorsAreListed(Path checkpoint) throws IOException {
    Map<String, Tensor> tensors = dacTensors(checkpoint);
    String weight = PREFIX + "model.decoder.model.1.block.3.block.1.weight_v";
    String bias = PREFIX + "model.quantizer.quantizers.1.out_proj.bias";
    tensors.remove(weight);
    tensors.remove(bias);
    // Encoder-only tensors may be absent.
    tensors.keySet().removeIf(n -> n.contains(".in_proj.") || n.contains(".model.encoder."));
    Path file = write("missing.safetensors", tensors);
    try (TensorSource weights = TensorSource.open(file)) {
      CheckpointException e =
          assertThrows(
              CheckpointException.class,
              () -> DacDecoder.load(weights, PREFIX, manager, DataType.FLOAT32));
      assertTrue(
          e.getMessage().contains("missing tensors [" + weight + ", " + bias + "]"), e::getMessage);
    }
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void unexpectedDecodePathTensorsAreListed(Path checkpoint) throws IOException {
    Map<String, Tensor> tensors = dacTensors(checkpoint);
    String extra = PREFIX + "model.decoder.model.1.block.5.block.0.alpha";
    tensors.put(extra, new Tensor(new long[] {1, 1, 1}, new float[] {1}));
    Path file = write("extra.safetensors", tensors);
    try (TensorSource weights = TensorSource.open(file)) {
      CheckpointException e =
          assertThrows(
              CheckpointException.class,
              () -> DacDecoder.load(weights, PREFIX, manager, DataType.FLOAT32));
      assertTrue(e.getMessage().contains("unexpected tensors [" + extra + "]"), e::getMessage);
    }
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void noDacUnderThePrefixIsAClearError(Path checkpoint) {
    try (TensorSource weights = TensorSource.open(checkpoint)) {
      CheckpointException e =
          assertThrows(
              CheckpointException.class,
              () -> DacDecoder.load(weights, "vocoder.", manager, DataType.FLOAT32));
      assertTrue(e.getMessage().contains("no DAC decoder weights"), e::getMessage);
    }
  }

  @ParameterizedTest
  @MethodSource("fixtures")
  void wrongShapeNamesTheTensor(Path checkpoint) throws IOException {
    Map<String, Tensor> tensors = dacTensors(checkpoint);
    String alpha = PREFIX + "model.decoder.model.1.block.0.alpha";
    Tensor t = tensors.get(alpha);
    tensors.put(
        alpha, new Tensor(new long[] {1, t.shape()[1] + 1, 1}, new float[t.values().length + 1]));
    Path file = write("shape.safetensors", tensors);
    try (TensorSource weights = TensorSource.open(file)) {
      CheckpointException e =
          assertThrows(
              CheckpointException.class,
              () -> DacDecoder.load(weights, PREFIX, manager, DataType.FLOAT32));
      assertTrue(e.getMessage().contains("'" + alpha + "' has shape"), e::getMessage);
    }
  }
}
