package dev.parlance.tts.benchmarks.checkpoint;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Where benchmarks find their random checkpoints: generated once into a cache directory (system
 * property {@code parlance.bench.cache}, default {@code bench-checkpoints/} beside the benchmark
 * classes, i.e. under the module's {@code target/}) and reused by every later fork and run.
 */
public final class BenchCheckpoints {

  /** Seed of every benchmark checkpoint. */
  public static final long SEED = 1;

  /** System property naming the shape the model benchmarks load ({@code --shape} of BenchMain). */
  public static final String SHAPE_PROPERTY = "parlance.bench.shape";

  private static final String FIXTURE = "tiny-mini-v1-arch";

  private BenchCheckpoints() {}

  /** The shape the model benchmarks run: {@value #SHAPE_PROPERTY}, mini-v1 when unset. */
  public static ParlerShape shape() {
    return ParlerShape.named(System.getProperty(SHAPE_PROPERTY, ParlerShape.MINI_V1.name()));
  }

  /** The checkpoint for {@code shape}, generated now if the cache does not hold it yet. */
  public static synchronized Path get(ParlerShape shape) {
    Path dir = cacheDir().resolve(shape.name() + "-seed" + SEED);
    try {
      if (!RandomCheckpoint.isComplete(shape, SEED, dir)) {
        System.out.println("[bench] generating " + shape.name() + " random checkpoint in " + dir);
      }
      return RandomCheckpoint.ensure(shape, SEED, dir, defaultTokenizerDir());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot generate the benchmark checkpoint in " + dir, e);
    }
  }

  /** The cache directory. */
  public static Path cacheDir() {
    String configured = System.getProperty("parlance.bench.cache");
    if (configured != null && !configured.isBlank()) {
      return Path.of(configured);
    }
    return targetDir().resolve("bench-checkpoints");
  }

  /**
   * The tiny fixture checkpoint whose tokenizer the random checkpoints borrow: {@code
   * tts.fixtures.dir}, else {@code shared/fixtures/parler-tiny} beside the repository.
   */
  public static Path defaultTokenizerDir() {
    List<Path> candidates = new ArrayList<>();
    String configured = System.getProperty("tts.fixtures.dir");
    if (configured != null && !configured.isBlank()) {
      candidates.add(Path.of(configured));
    }
    candidates.add(Path.of("..", "shared", "fixtures", "parler-tiny"));
    candidates.add(targetDir().resolve("../../../shared/fixtures/parler-tiny").normalize());
    for (Path c : candidates) {
      if (Files.isRegularFile(c.resolve(FIXTURE).resolve("tokenizer.json"))) {
        return c.resolve(FIXTURE);
      }
    }
    throw new IllegalStateException(
        "no tokenizer to copy: set -Dtts.fixtures.dir to the parler-tiny fixtures (looked in "
            + candidates
            + ")");
  }

  /** {@code target/} of this module: the parent of the benchmarks jar or classes directory. */
  private static Path targetDir() {
    try {
      Path code =
          Path.of(
              BenchCheckpoints.class.getProtectionDomain().getCodeSource().getLocation().toURI());
      return code.toAbsolutePath().getParent();
    } catch (URISyntaxException | SecurityException | NullPointerException e) {
      return Path.of("target").toAbsolutePath();
    }
  }
}
