package dev.parlance.tts.livekit.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.File;
import java.io.IOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * TEST ONLY. The official LiveKit Node packages the interop tests run: {@code src/test/node}
 * (package.json, the committed package-lock.json and the scripts) is copied into {@code
 * target/node-agents} and the locked packages are installed there with {@code npm ci}, again only
 * when the lock file changed.
 */
public final class NodePackages {
  private NodePackages() {}

  /** Whether {@code node} and {@code npm} are on {@code PATH}. */
  public static boolean available() {
    return onPath("node") && onPath("npm");
  }

  /** Copies the scripts into target/ and installs the locked packages if needed. */
  public static Path install() throws IOException, InterruptedException {
    Path module = Path.of(System.getProperty("basedir", "."));
    Path source = module.resolve("src/test/node");
    Path dir = module.resolve("target/node-agents");
    Files.createDirectories(dir);
    try (DirectoryStream<Path> files = Files.newDirectoryStream(source)) {
      for (Path file : files) {
        Files.copy(file, dir.resolve(file.getFileName()), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    Path installedLock = dir.resolve("installed-package-lock.json");
    if (!Files.exists(installedLock)
        || !Arrays.equals(
            Files.readAllBytes(installedLock),
            Files.readAllBytes(dir.resolve("package-lock.json")))) {
      Process npm =
          new ProcessBuilder("npm", "ci", "--ignore-scripts", "--no-audit", "--no-fund")
              .directory(dir.toFile())
              .redirectErrorStream(true)
              .redirectOutput(dir.resolve("npm.log").toFile())
              .start();
      if (!npm.waitFor(5, TimeUnit.MINUTES)) {
        stop(npm);
        throw new AssertionError("npm ci took over 5 minutes; see " + dir.resolve("npm.log"));
      }
      assertEquals(0, npm.exitValue(), "npm ci failed; see " + dir.resolve("npm.log"));
      Files.copy(
          dir.resolve("package-lock.json"), installedLock, StandardCopyOption.REPLACE_EXISTING);
    }
    return dir;
  }

  /** Stops a process a test started, and the processes it started (e.g. job processes). */
  public static void stop(Process process) throws InterruptedException {
    List<ProcessHandle> children = process.descendants().toList();
    process.destroy();
    children.forEach(ProcessHandle::destroy);
    if (!process.waitFor(10, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      children.forEach(ProcessHandle::destroyForcibly);
    }
  }

  private static boolean onPath(String command) {
    String path = System.getenv("PATH");
    if (path == null) {
      return false;
    }
    for (String entry : path.split(File.pathSeparator)) {
      if (Files.isExecutable(Path.of(entry, command))) {
        return true;
      }
    }
    return false;
  }
}
