package dev.parlance.tts.core.hub;

import java.time.Duration;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.function.LongSupplier;

/**
 * Turns a stream of "n more bytes arrived" into log lines: at most one per interval, each with
 * bytes, percentage and the rate since the previous line, plus a final summary. Small files finish
 * before the first interval and produce only the summary.
 */
final class DownloadProgress {
  static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);

  private final String label;
  private final long total;
  private final long initial;
  private final LongSupplier nanoClock;
  private final Consumer<String> sink;
  private final long intervalNanos;

  private final long startNanos;
  private long done;
  private long lastNanos;
  private long lastDone;

  /**
   * @param label what is downloaded, e.g. {@code org/name model.safetensors}
   * @param total expected bytes of the whole file, or -1 when unknown
   * @param initial bytes already present (a resumed download)
   */
  DownloadProgress(
      String label,
      long total,
      long initial,
      LongSupplier nanoClock,
      Consumer<String> sink,
      Duration interval) {
    this.label = label;
    this.total = total;
    this.initial = initial;
    this.nanoClock = nanoClock;
    this.sink = sink;
    this.intervalNanos = interval.toNanos();
    this.startNanos = nanoClock.getAsLong();
    this.done = initial;
    this.lastNanos = startNanos;
    this.lastDone = initial;
  }

  /** Called by the single thread that writes the file. */
  void advance(long bytes) {
    done += bytes;
    long now = nanoClock.getAsLong();
    if (now - lastNanos >= intervalNanos) {
      sink.accept(
          label
              + ": "
              + amount()
              + ", "
              + rate(done - lastDone, now - lastNanos)
              + ", downloading");
      lastNanos = now;
      lastDone = done;
    }
  }

  /** The downloaded part was restarted from byte 0 (the server ignored the range). */
  void restart() {
    done = 0;
    lastDone = 0;
  }

  void finish() {
    long now = nanoClock.getAsLong();
    long fetched = done - initial;
    sink.accept(
        label
            + ": "
            + amount()
            + ", done in "
            + String.format(Locale.ROOT, "%.1f s", (now - startNanos) / 1e9)
            + (fetched > 0 ? " (" + rate(fetched, now - startNanos) + ")" : ""));
  }

  private String amount() {
    if (total <= 0) {
      return bytes(done);
    }
    return bytes(done)
        + " / "
        + bytes(total)
        + String.format(Locale.ROOT, " (%.0f%%)", 100.0 * done / total);
  }

  private static String rate(long bytes, long nanos) {
    return bytes(nanos <= 0 ? 0 : (long) (bytes * 1e9 / nanos)) + "/s";
  }

  /** Decimal units, as the hub shows file sizes. */
  static String bytes(long n) {
    if (n < 1000) {
      return n + " B";
    }
    String[] units = {"kB", "MB", "GB", "TB"};
    double v = n;
    int u = -1;
    while (v >= 1000 && u < units.length - 1) {
      v /= 1000;
      u++;
    }
    return String.format(Locale.ROOT, "%.2f %s", v, units[u]);
  }
}
