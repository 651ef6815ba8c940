package dev.parlance.tts.core.testing;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parlance.tts.core.checkpoint.SafetensorsFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;

/**
 * The golden fixture checkpoints: every directory under {@code tts.fixtures.dir} (set by surefire;
 * default {@code ../shared/fixtures/parler-tiny} beside the project) that holds a {@code
 * golden.json}.
 */
public final class Fixtures {
  private Fixtures() {}

  /** The fixtures root. */
  public static Path root() {
    String configured = System.getProperty("tts.fixtures.dir");
    Path root =
        configured != null && !configured.isBlank()
            ? Path.of(configured)
            : Path.of("..", "..", "shared", "fixtures", "parler-tiny");
    if (!Files.isDirectory(root)) {
      throw new IllegalStateException("fixtures directory not found: " + root.toAbsolutePath());
    }
    return root;
  }

  /** Every fixture checkpoint directory, sorted by name. */
  public static List<Path> checkpoints() {
    try (Stream<Path> dirs = Files.list(root())) {
      return dirs.filter(d -> Files.isRegularFile(d.resolve("golden.json"))).sorted().toList();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A fixture checkpoint by directory name, e.g. {@code tiny-mini-v1-arch}. */
  public static Path checkpoint(String name) {
    return root().resolve(name);
  }

  /** The golden tensors of a fixture (close it). */
  public static SafetensorsFile goldenTensors(Path checkpoint) {
    return SafetensorsFile.open(checkpoint.resolve("golden.safetensors"));
  }

  /** The fixture's {@code golden.json}. */
  public static JsonObject goldenJson(Path checkpoint) {
    try {
      return JsonParser.parseString(Files.readString(checkpoint.resolve("golden.json")))
          .getAsJsonObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
