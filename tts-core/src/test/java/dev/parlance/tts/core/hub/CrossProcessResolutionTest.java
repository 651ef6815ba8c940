package dev.parlance.tts.core.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** Two JVMs resolving the same model into one cache download every file once. */
class CrossProcessResolutionTest {
  @TempDir Path tmp;

  /**
   * The other process: resolves {@code args[2]} against hub {@code args[1]} into {@code args[0]}.
   */
  public static void main(String[] args) {
    HubConfig config =
        HubConfig.fromEnvironment(
            Map.of("HF_HOME", args[0], "HF_HUB_CACHE", args[0], "HF_ENDPOINT", args[1]));
    System.out.println(new ModelResolver(config).resolve(args[2]));
  }

  @Test
  @Timeout(value = 120, unit = TimeUnit.SECONDS)
  void twoProcessesShareTheDownloads() throws Exception {
    Path cache = tmp.resolve("hub");
    try (FakeHub hub = new FakeHub()) {
      FakeHub.Repo repo = hub.addRepo("parler-test/tiny", FakeHub.fixture(), false);
      hub.cdnDelayMillis = 1_500; // each LFS download holds its lock long enough to be contended
      Path out = tmp.resolve("child.out");
      Path javaBin = Path.of(System.getProperty("java.home"), "bin", "java");
      Process child =
          new ProcessBuilder(
                  javaBin.toString(),
                  "-Xmx256m",
                  "-cp",
                  System.getProperty("java.class.path"),
                  CrossProcessResolutionTest.class.getName(),
                  cache.toString(),
                  hub.endpoint().toString(),
                  "parler-test/tiny")
              .redirectErrorStream(true)
              .redirectOutput(out.toFile())
              .start();
      try {
        // start our own resolution once the child is talking to the hub
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (hub.requests.isEmpty() && child.isAlive() && System.nanoTime() < deadline) {
          Thread.sleep(20);
        }
        Path ours =
            new ModelResolver(
                    new HubConfig(
                        cache,
                        hub.endpoint(),
                        Optional.empty(),
                        false,
                        Duration.ofSeconds(10),
                        Duration.ofSeconds(10)))
                .resolve("parler-test/tiny");

        assertTrue(child.waitFor(60, TimeUnit.SECONDS), "child finished");
        String childOutput = Files.readString(out, StandardCharsets.UTF_8);
        assertEquals(0, child.exitValue(), childOutput);
        List<String> lines = childOutput.lines().filter(l -> !l.startsWith("SLF4J")).toList();
        assertEquals(ours.toString(), lines.get(lines.size() - 1));
        for (Map.Entry<String, byte[]> f : repo.files().entrySet()) {
          assertEquals(1, hub.downloadsOf(repo, f.getKey()).size(), f.getKey());
          assertArrayEquals(f.getValue(), Files.readAllBytes(ours.resolve(f.getKey())));
        }
      } finally {
        if (child.isAlive()) {
          child.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
        }
      }
    }
  }
}
