package dev.parlance.tts.core.runtime;

import dev.parlance.tts.core.device.DeviceMemory;
import dev.parlance.tts.spi.EngineHealth;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryPoolMXBean;
import java.lang.management.MemoryType;
import java.lang.management.MemoryUsage;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.LongSupplier;
import java.util.function.Supplier;

/**
 * The engine's readiness, for {@code TtsEngine.health()}: the engine reports its life-cycle ({@link
 * #modelLoaded}, {@link #warm}, {@link #closing}) and this adds memory checks.
 *
 * <p>Memory is available when every {@link #addMemoryCheck probe} reports at least its minimum
 * free. The built-in heap probe measures headroom as the maximum heap minus what survived the last
 * collection, so garbage awaiting collection does not make readiness flap. The engine adds probes
 * for what the heap does not show: {@link #deviceMemory} reports the device's free and total memory
 * in every snapshot and can hold readiness to a minimum free (a GPU). Thread-safe.
 */
public final class HealthMonitor {
  private final List<MemoryCheck> checks = new CopyOnWriteArrayList<>();
  private volatile boolean loaded;
  private volatile boolean warm;
  private volatile String device = "none";
  private volatile boolean gpu;
  private volatile String closingReason;
  private volatile Supplier<DeviceMemory> deviceMemory = () -> DeviceMemory.UNKNOWN;
  private volatile long minFreeDeviceBytes;

  /**
   * A monitor whose only memory check is JVM heap headroom of at least {@code minFreeHeapBytes}.
   */
  public HealthMonitor(long minFreeHeapBytes) {
    addMemoryCheck("heap", HealthMonitor::heapHeadroom, minFreeHeapBytes);
  }

  /** Adds a memory check: {@code freeBytes} must stay at or above {@code minFreeBytes}. */
  public void addMemoryCheck(String name, LongSupplier freeBytes, long minFreeBytes) {
    checks.add(new MemoryCheck(Objects.requireNonNull(name), freeBytes, minFreeBytes));
  }

  /**
   * Reads the model device's memory for every snapshot ({@code memoryFreeBytes}, {@code
   * memoryTotalBytes}); with {@code minFreeBytes} above 0, memory is unavailable while less than
   * that is free. A reading that fails or is unknown fails no check.
   */
  public void deviceMemory(Supplier<DeviceMemory> probe, long minFreeBytes) {
    this.deviceMemory = Objects.requireNonNull(probe, "probe");
    this.minFreeDeviceBytes = minFreeBytes;
  }

  /** Weights are on {@code device}; {@code gpu} when that is a CUDA device. */
  public void modelLoaded(String device, boolean gpu) {
    this.device = Objects.requireNonNull(device, "device");
    this.gpu = gpu;
    this.loaded = true;
  }

  /** Start-up warm-up (pre-warm list included) has finished. */
  public void warm() {
    this.warm = true;
  }

  /** The engine is shutting down and takes no more work. */
  public void closing(String reason) {
    this.closingReason = Objects.requireNonNull(reason, "reason");
  }

  /** Readiness now. */
  public EngineHealth snapshot() {
    String closing = closingReason;
    String lowMemory = null;
    for (MemoryCheck c : checks) {
      long free = c.freeBytes.getAsLong();
      if (free < c.minFreeBytes) {
        lowMemory = lowMemory(c.name, free, c.minFreeBytes);
        break;
      }
    }
    DeviceMemory memory = readDeviceMemory();
    long minFree = minFreeDeviceBytes;
    if (lowMemory == null && memory.known() && memory.freeBytes() < minFree) {
      lowMemory = lowMemory(device, memory.freeBytes(), minFree);
    }
    String detail;
    if (closing != null) {
      detail = "shutting down: " + closing;
    } else if (!loaded) {
      detail = "loading the model";
    } else if (lowMemory != null) {
      detail = lowMemory;
    } else if (!warm) {
      detail = "warming up";
    } else {
      detail = "ready";
    }
    return new EngineHealth(
        loaded && closing == null,
        device,
        lowMemory == null,
        gpu,
        warm && closing == null,
        detail,
        memory.freeBytes(),
        memory.totalBytes());
  }

  private DeviceMemory readDeviceMemory() {
    try {
      return deviceMemory.get();
    } catch (RuntimeException e) {
      return DeviceMemory.UNKNOWN;
    }
  }

  private static String lowMemory(String name, long free, long minFree) {
    return name + " memory low: " + mib(free) + " MiB free, need " + mib(minFree);
  }

  /** Maximum heap minus the heap in use after the last collection (current use where unknown). */
  static long heapHeadroom() {
    long max = Runtime.getRuntime().maxMemory();
    long live = 0;
    for (MemoryPoolMXBean pool : ManagementFactory.getMemoryPoolMXBeans()) {
      if (pool.getType() != MemoryType.HEAP) {
        continue;
      }
      MemoryUsage afterGc = pool.getCollectionUsage();
      live += (afterGc != null ? afterGc : pool.getUsage()).getUsed();
    }
    return max - live;
  }

  private static long mib(long bytes) {
    return bytes >> 20;
  }

  private record MemoryCheck(String name, LongSupplier freeBytes, long minFreeBytes) {}
}
