package dev.parlance.tts.core.model;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.parlance.tts.core.checkpoint.CheckpointException;
import dev.parlance.tts.core.checkpoint.SafetensorsFile;
import dev.parlance.tts.core.checkpoint.SafetensorsWriter;
import dev.parlance.tts.core.checkpoint.TensorInfo;
import dev.parlance.tts.core.device.DtypePolicy;
import dev.parlance.tts.core.kernel.WeightFormat;
import dev.parlance.tts.core.testing.Fixtures;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.function.BiConsumer;
import java.util.function.Predicate;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading fails clearly, naming the tensors, on every kind of broken checkpoint. */
class ParlerModelLoadTest {
  private static final Path SOURCE = Fixtures.checkpoint("tiny-mini-v1-arch");
  private static final DtypePolicy FP32 = DtypePolicy.of(WeightFormat.FLOAT32);
  private static final String FC1 = "decoder.model.decoder.layers.0.fc1.weight";

  @TempDir Path dir;

  /** Copies the fixture, rewriting model.safetensors without the dropped tensors plus extras. */
  private Path rewrite(Predicate<String> drop, BiConsumer<SafetensorsWriter, SafetensorsFile> extra)
      throws IOException {
    try (Stream<Path> files = Files.list(SOURCE)) {
      for (Path f : files.toList()) {
        if (!f.getFileName().toString().startsWith("golden")) {
          Files.copy(f, dir.resolve(f.getFileName()));
        }
      }
    }
    Path model = dir.resolve("model.safetensors");
    Files.delete(model);
    try (SafetensorsFile in = SafetensorsFile.open(SOURCE.resolve("model.safetensors"))) {
      SafetensorsWriter w = new SafetensorsWriter();
      for (String name : in.names()) {
        if (!drop.test(name)) {
          TensorInfo info = in.info(name);
          w.add(name, info.type(), info.shape(), out -> out.write(bytes(in.map(name))));
        }
      }
      extra.accept(w, in);
      w.write(model);
    }
    return dir;
  }

  private static byte[] bytes(ByteBuffer b) {
    byte[] out = new byte[b.remaining()];
    b.duplicate().get(out);
    return out;
  }

  private static String failure(Path checkpoint) {
    CheckpointException e =
        assertThrows(
            CheckpointException.class,
            () -> ParlerModel.load(checkpoint, Device.cpu(), FP32).close());
    return e.getMessage();
  }

  @Test
  void missingTensorsAreAllListed() throws IOException {
    String m =
        failure(rewrite(n -> n.equals(FC1) || n.equals("embed_prompts.weight"), (w, in) -> {}));
    assertTrue(m.contains(FC1) && m.contains("embed_prompts.weight"), m);
    assertTrue(m.contains("missing 2 tensor(s)"), m);
  }

  @Test
  void unexpectedTensorsAreListed() throws IOException {
    String extra = "decoder.model.decoder.layers.99.fc1.weight";
    String m =
        failure(
            rewrite(n -> false, (w, in) -> w.addFloats(extra, new long[] {2}, new float[] {1, 2})));
    assertTrue(m.contains("unexpected 1 tensor(s)") && m.contains(extra), m);
  }

  @Test
  void unknownHeadLayoutIsRejected() throws IOException {
    String m = failure(rewrite(n -> n.startsWith("decoder.lm_heads."), (w, in) -> {}));
    assertTrue(m.contains("unknown LM-head layout"), m);
  }

  @Test
  void notAParlerCheckpointIsRejected() throws IOException {
    String m =
        failure(rewrite(n -> n.startsWith("decoder.model.decoder.embed_tokens"), (w, in) -> {}));
    assertTrue(m.contains("unknown checkpoint layout"), m);
  }

  @Test
  void wrongDtypeNamesTheTensor() throws IOException {
    String m =
        failure(
            rewrite(
                n -> n.equals(FC1),
                (w, in) -> {
                  long[] shape = in.info(FC1).shape();
                  w.addLongs(FC1, shape, new long[(int) (shape[0] * shape[1])]);
                }));
    assertTrue(m.contains(FC1) && m.contains("I64"), m);
  }

  @Test
  void wrongShapeNamesTheTensor() throws IOException {
    String m =
        failure(
            rewrite(
                n -> n.equals(FC1),
                (w, in) -> {
                  long[] shape = in.info(FC1).shape();
                  w.addFloats(
                      FC1, new long[] {shape[1], shape[0]}, new float[(int) (shape[0] * shape[1])]);
                }));
    assertTrue(m.contains(FC1) && m.contains("shape"), m);
  }

  @Test
  void truncatedWeightsFileIsAClearError() throws IOException {
    Path checkpoint = rewrite(n -> false, (w, in) -> {});
    try (FileChannel ch =
        FileChannel.open(checkpoint.resolve("model.safetensors"), StandardOpenOption.WRITE)) {
      ch.truncate(ch.size() / 2);
    }
    String m = failure(checkpoint);
    assertTrue(m.contains("model.safetensors"), m);
  }

  @Test
  void unsupportedConfigIsRejected() throws IOException {
    Path checkpoint = rewrite(n -> false, (w, in) -> {});
    Path config = checkpoint.resolve("config.json");
    Files.writeString(
        config,
        Files.readString(config)
            .replace("\"prompt_cross_attention\": false", "\"prompt_cross_attention\": true"));
    assertTrue(failure(checkpoint).contains("prompt_cross_attention"));
  }

  @Test
  void theUnmodifiedCopyLoads() throws IOException {
    try (ParlerModel model =
        ParlerModel.load(rewrite(n -> false, (w, in) -> {}), Device.cpu(), FP32)) {
      assertTrue(model.liveArrays() > 0);
    }
  }
}
