package dev.parlance.tts.core.device;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * The host's available physical memory. On Linux that is {@code MemAvailable} from {@code
 * /proc/meminfo} (free memory plus the page cache the kernel can drop; the JDK's "free" counts only
 * never-used pages and would starve batches on a busy host), unless the JVM sees a smaller
 * container limit, whose free share then rules. Elsewhere the JDK's operating-system bean.
 */
final class HostMemory {
  private static final Path MEMINFO = Path.of("/proc/meminfo");

  private HostMemory() {}

  static DeviceMemory read() {
    DeviceMemory jdk = jdk();
    DeviceMemory kernel = meminfo();
    if (!kernel.known() || (jdk.known() && jdk.totalBytes() < kernel.totalBytes())) {
      return jdk;
    }
    return kernel;
  }

  private static DeviceMemory jdk() {
    if (ManagementFactory.getOperatingSystemMXBean()
        instanceof com.sun.management.OperatingSystemMXBean os) {
      long total = os.getTotalMemorySize();
      long free = os.getFreeMemorySize();
      if (total > 0 && free >= 0) {
        return new DeviceMemory(free, total);
      }
    }
    return DeviceMemory.UNKNOWN;
  }

  private static DeviceMemory meminfo() {
    try {
      return Files.isReadable(MEMINFO)
          ? parseMeminfo(Files.readAllLines(MEMINFO))
          : DeviceMemory.UNKNOWN;
    } catch (IOException | RuntimeException e) {
      return DeviceMemory.UNKNOWN;
    }
  }

  /** {@code MemAvailable} and {@code MemTotal} (in kB) from /proc/meminfo lines. */
  static DeviceMemory parseMeminfo(List<String> lines) {
    long total = -1;
    long available = -1;
    for (String line : lines) {
      if (line.startsWith("MemTotal:")) {
        total = kilobytes(line);
      } else if (line.startsWith("MemAvailable:")) {
        available = kilobytes(line);
      }
    }
    return total > 0 && available >= 0 ? new DeviceMemory(available, total) : DeviceMemory.UNKNOWN;
  }

  private static long kilobytes(String line) {
    String[] parts = line.substring(line.indexOf(':') + 1).trim().split("\\s+");
    return Long.parseLong(parts[0]) * 1024;
  }
}
