package dev.parlance.tts.livekit.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** TEST ONLY. The tiny Parler checkpoints under {@code tts.fixtures.dir} (set by surefire). */
public final class Fixtures {
  private Fixtures() {}

  /** The checkpoint directory {@code name}, e.g. {@code tiny-mini-v1-arch}. */
  public static Path checkpoint(String name) {
    String configured = System.getProperty("tts.fixtures.dir");
    Path root =
        configured != null && !configured.isBlank()
            ? Path.of(configured)
            : Path.of("..", "..", "shared", "fixtures", "parler-tiny");
    Path dir = root.resolve(name);
    if (!Files.isDirectory(dir)) {
      throw new IllegalStateException("fixture checkpoint not found: " + dir.toAbsolutePath());
    }
    return dir;
  }
}
