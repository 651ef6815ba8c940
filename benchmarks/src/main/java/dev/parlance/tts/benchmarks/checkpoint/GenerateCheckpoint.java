package dev.parlance.tts.benchmarks.checkpoint;

import java.io.IOException;
import java.nio.file.Path;
import java.util.Locale;

/**
 * Command line for {@link RandomCheckpoint}:
 *
 * <pre>
 * java -cp benchmarks/target/benchmarks.jar \
 *     dev.parlance.tts.benchmarks.checkpoint.GenerateCheckpoint \
 *     --shape mini-v1 --out /tmp/parler-mini-random [--seed 1] [--tokenizer-from DIR]
 * </pre>
 *
 * {@code --tokenizer-from} defaults to the tiny fixture checkpoint ({@code tts.fixtures.dir} system
 * property, else {@code ../shared/fixtures/parler-tiny}, subdirectory {@code tiny-mini-v1-arch}).
 */
public final class GenerateCheckpoint {

  private GenerateCheckpoint() {}

  public static void main(String[] args) throws IOException {
    ParlerShape shape = ParlerShape.MINI_V1;
    Path out = null;
    long seed = 1;
    Path tokenizer = BenchCheckpoints.defaultTokenizerDir();
    long maxShard = RandomCheckpoint.DEFAULT_MAX_SHARD_BYTES;
    for (int i = 0; i < args.length; i++) {
      String value = i + 1 < args.length ? args[i + 1] : null;
      switch (args[i]) {
        case "--shape" -> shape = ParlerShape.named(require(args[i], value));
        case "--out" -> out = Path.of(require(args[i], value));
        case "--seed" -> seed = Long.parseLong(require(args[i], value));
        case "--tokenizer-from" -> tokenizer = Path.of(require(args[i], value));
        case "--max-shard-bytes" -> maxShard = Long.parseLong(require(args[i], value));
        default -> usage("unknown argument " + args[i]);
      }
      i++;
    }
    if (out == null) {
      usage("--out is required");
    }
    long params = ParlerLayout.parameters(shape);
    System.out.printf(
        Locale.ROOT,
        "writing %s (%,d parameters, %.2f GB F32, seed %d) to %s%n",
        shape.name(),
        params,
        params * 4 / 1e9,
        seed,
        out);
    long start = System.nanoTime();
    RandomCheckpoint.write(shape, seed, out, tokenizer, maxShard);
    System.out.printf(Locale.ROOT, "done in %.1f s%n", (System.nanoTime() - start) / 1e9);
  }

  private static String require(String flag, String value) {
    if (value == null) {
      usage(flag + " needs a value");
    }
    return value;
  }

  private static void usage(String problem) {
    System.err.println(problem);
    System.err.println(
        "usage: GenerateCheckpoint --out DIR [--shape mini-v1|large-v1] [--seed N]"
            + " [--tokenizer-from CHECKPOINT_DIR] [--max-shard-bytes N]");
    System.exit(2);
  }
}
