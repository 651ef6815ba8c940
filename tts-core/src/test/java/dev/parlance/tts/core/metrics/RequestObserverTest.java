package dev.parlance.tts.core.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.CancelledException;
import dev.parlance.tts.spi.TtsException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RequestObserverTest {
  private final List<String> events = new ArrayList<>();
  private final RuntimeListener recorder =
      new RuntimeListener() {
        @Override
        public void requestReceived() {
          events.add("received");
        }

        @Override
        public void firstAudio(Duration sinceReceived) {
          events.add("first " + sinceReceived.toMillis());
        }

        @Override
        public void requestCompleted(Duration latency, double audioSeconds, boolean cached) {
          events.add("completed " + latency.toMillis() + " " + audioSeconds + " " + cached);
        }

        @Override
        public void requestFailed(TtsException.Kind kind, Duration latency) {
          events.add("failed " + kind + " " + latency.toMillis());
        }
      };

  @Test
  void reportsFirstAudioOnceAndTheEndOnce() {
    AtomicLong now = new AtomicLong();
    RequestObserver o = RequestObserver.start(recorder, now::get);
    now.set(Duration.ofMillis(250).toNanos());
    o.audio(0, AudioFormat.PARLER); // empty chunks are not audio
    o.audio(44_100, AudioFormat.PARLER);
    now.set(Duration.ofMillis(900).toNanos());
    o.audio(22_050, AudioFormat.PARLER);
    o.completed(false);
    o.failed(new CancelledException("late", false)); // already ended: ignored
    assertEquals(List.of("received", "first 250", "completed 900 1.5 false"), events);
  }

  @Test
  void aFailureEndsTheRequest() {
    AtomicLong now = new AtomicLong();
    RequestObserver o = RequestObserver.start(recorder, now::get);
    now.set(Duration.ofMillis(40).toNanos());
    o.failed(new CancelledException("gone", false));
    o.completed(false);
    assertEquals(List.of("received", "failed CANCELLED 40"), events);
  }
}
