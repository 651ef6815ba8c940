package dev.parlance.tts.core.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class DownloadProgressTest {
  @Test
  void logsAtMostOncePerIntervalWithBytesPercentAndRate() {
    AtomicLong clock = new AtomicLong();
    List<String> lines = new ArrayList<>();
    DownloadProgress p =
        new DownloadProgress(
            "org/name model.safetensors",
            4_000_000_000L,
            1_000_000_000L,
            clock::get,
            lines::add,
            Duration.ofSeconds(5));

    clock.set(1_000_000_000L); // 1 s: below the interval, silent
    p.advance(50_000_000);
    assertEquals(0, lines.size());
    clock.set(5_000_000_000L); // 5 s: 200 MB in 5 s
    p.advance(150_000_000);
    clock.set(6_000_000_000L);
    p.advance(100_000_000);
    assertEquals(
        List.of("org/name model.safetensors: 1.20 GB / 4.00 GB (30%), 40.00 MB/s, downloading"),
        lines);
    clock.set(10_000_000_000L); // 1.8 GB since the line at 5 s
    p.advance(1_700_000_000);
    p.finish();
    assertEquals(
        "org/name model.safetensors: 3.00 GB / 4.00 GB (75%), 360.00 MB/s, downloading",
        lines.get(1));
    assertEquals(
        "org/name model.safetensors: 3.00 GB / 4.00 GB (75%), done in 10.0 s (200.00 MB/s)",
        lines.get(2));
  }

  @Test
  void formatsDecimalUnits() {
    assertEquals("999 B", DownloadProgress.bytes(999));
    assertEquals("616.59 kB", DownloadProgress.bytes(616_592));
    assertEquals("3.75 GB", DownloadProgress.bytes(3_751_321_772L));
  }
}
