package dev.parlance.tts.core.engine;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;

/** The process's resident memory from {@code /proc/self/status} (Linux); -1 elsewhere. */
public final class ProcessMemory {
  private ProcessMemory() {}

  /** Current resident set size in bytes (VmRSS). */
  public static long residentBytes() {
    return field("VmRSS:");
  }

  /** Peak resident set size in bytes (VmHWM). */
  public static long peakResidentBytes() {
    return field("VmHWM:");
  }

  private static long field(String name) {
    try {
      for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
        if (line.startsWith(name)) {
          String kb = line.substring(name.length()).trim().split("\\s+")[0];
          return Long.parseLong(kb) * 1024;
        }
      }
    } catch (IOException | RuntimeException e) {
      return -1;
    }
    return -1;
  }

  /** Bytes as MiB for logs. */
  public static String mib(long bytes) {
    return bytes < 0 ? "n/a" : (bytes >> 20) + " MiB";
  }
}
