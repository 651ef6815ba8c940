package dev.parlance.tts.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.spi.CancelledException;
import dev.parlance.tts.spi.EngineUnavailableException;
import dev.parlance.tts.spi.OverloadedException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class AdmissionControllerTest {
  private static final Optional<Instant> NO_DEADLINE = Optional.empty();

  @Test
  void admitsUpToTheLimitThenQueuesThenRefuses() {
    AdmissionController ac = new AdmissionController(2, 1, Duration.ofSeconds(30));
    Ticket a = ac.acquire("a", NO_DEADLINE);
    Ticket b = ac.acquire("b", NO_DEADLINE);
    assertEquals(2, ac.inFlight());
    CompletableFuture<Ticket> c = ac.admit("c", NO_DEADLINE);
    assertFalse(c.isDone());
    assertEquals(1, ac.queueDepth());

    OverloadedException full =
        assertThrows(OverloadedException.class, () -> ac.admit("d", NO_DEADLINE));
    assertTrue(full.getMessage().contains("queue is full"), full.getMessage());
    assertTrue(full.retryAfter().compareTo(Duration.ofSeconds(1)) >= 0);
    assertEquals(1, ac.rejectedTotal());

    a.close();
    Ticket ct = c.join();
    assertEquals("c", ct.requestId());
    assertEquals(0, ac.queueDepth());
    assertEquals(2, ac.inFlight());
    b.close();
    ct.close();
    assertEquals(0, ac.inFlight());
    assertEquals(3, ac.admittedTotal());
  }

  @Test
  void closingATicketTwiceReleasesOnce() {
    AdmissionController ac = new AdmissionController(2, 0, Duration.ofSeconds(1));
    Ticket a = ac.acquire("a", NO_DEADLINE);
    Ticket b = ac.acquire("b", NO_DEADLINE);
    a.close();
    a.close();
    assertEquals(1, ac.inFlight());
    assertTrue(a.isReleased());
    assertTrue(a.stopped(), "a released ticket must stop its work");
    b.close();
    assertEquals(0, ac.inFlight());
  }

  @Test
  void queueIsFirstComeFirstServed() {
    AdmissionController ac = new AdmissionController(1, 10, Duration.ofSeconds(30));
    Ticket holder = ac.acquire("holder", NO_DEADLINE);
    List<String> order = new ArrayList<>();
    List<CompletableFuture<Ticket>> waiters = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      CompletableFuture<Ticket> f = ac.admit("w" + i, NO_DEADLINE);
      f.thenAccept(t -> order.add(t.requestId()));
      waiters.add(f);
    }
    holder.close();
    for (CompletableFuture<Ticket> f : waiters) {
      f.join().close(); // each release admits the next waiter
    }
    assertEquals(List.of("w0", "w1", "w2", "w3", "w4"), order);
    assertEquals(0, ac.inFlight());
  }

  @Test
  void aWaiterGivesUpAfterTheMaximumQueueWait() {
    AdmissionController ac = new AdmissionController(1, 4, Duration.ofMillis(100));
    Ticket holder = ac.acquire("holder", NO_DEADLINE);
    long start = System.nanoTime();
    OverloadedException e =
        assertThrows(OverloadedException.class, () -> ac.acquire("late", NO_DEADLINE));
    long waitedMs = (System.nanoTime() - start) / 1_000_000;
    assertTrue(waitedMs >= 90, "waited only " + waitedMs + " ms");
    assertTrue(e.getMessage().contains("waited the maximum"), e.getMessage());
    assertEquals(0, ac.queueDepth());
    holder.close();
    assertEquals(0, ac.inFlight());
  }

  @Test
  void deadlinesCancelInTheQueueAndBeforeIt() {
    AdmissionController ac = new AdmissionController(1, 4, Duration.ofSeconds(30));
    Ticket holder = ac.acquire("holder", NO_DEADLINE);
    CancelledException queued =
        assertThrows(
            CancelledException.class,
            () -> ac.acquire("soon", Optional.of(Instant.now().plusMillis(80))));
    assertTrue(queued.deadlineExceeded());
    CancelledException past =
        assertThrows(
            CancelledException.class,
            () -> ac.admit("past", Optional.of(Instant.now().minusSeconds(1))));
    assertTrue(past.deadlineExceeded());
    assertEquals(0, ac.queueDepth());
    holder.close();
  }

  @Test
  void refusesAtOnceWhenTheEstimatedWaitIsTooLong() {
    AtomicLong now = new AtomicLong();
    AdmissionController ac =
        new AdmissionController(1, 10, Duration.ofSeconds(5), Clock.systemUTC(), now::get);
    assertTrue(ac.meanHoldTime().isEmpty());
    Ticket first = ac.acquire("first", NO_DEADLINE);
    now.addAndGet(Duration.ofSeconds(10).toNanos());
    first.close();
    assertEquals(Duration.ofSeconds(10), ac.meanHoldTime().orElseThrow());

    Ticket second = ac.acquire("second", NO_DEADLINE);
    OverloadedException e =
        assertThrows(OverloadedException.class, () -> ac.admit("third", NO_DEADLINE));
    assertTrue(e.getMessage().contains("estimated queue wait"), e.getMessage());
    assertEquals(10, e.retryAfterSeconds());
    assertEquals(0, ac.queueDepth());
    second.close();
  }

  @Test
  void cancellingAQueuedFutureLeavesTheQueueWithoutLeakingASlot() {
    AdmissionController ac = new AdmissionController(1, 4, Duration.ofSeconds(30));
    Ticket holder = ac.acquire("holder", NO_DEADLINE);
    CompletableFuture<Ticket> waiting = ac.admit("gone", NO_DEADLINE);
    assertTrue(waiting.cancel(false));
    assertEquals(0, ac.queueDepth());
    holder.close();
    assertEquals(0, ac.inFlight());
  }

  @Test
  void interruptedAcquireCancelsAndLeavesNoSlotBehind() throws Exception {
    AdmissionController ac = new AdmissionController(1, 4, Duration.ofSeconds(30));
    Ticket holder = ac.acquire("holder", NO_DEADLINE);
    CompletableFuture<Throwable> outcome = new CompletableFuture<>();
    Thread t =
        new Thread(
            () -> {
              try {
                ac.acquire("waiter", NO_DEADLINE);
                outcome.complete(null);
              } catch (RuntimeException e) {
                outcome.complete(e);
              }
            });
    t.start();
    while (ac.queueDepth() == 0) {
      Thread.sleep(1);
    }
    t.interrupt();
    Throwable e = outcome.get(5, TimeUnit.SECONDS);
    assertInstanceOf(CancelledException.class, e);
    assertEquals(0, ac.queueDepth());
    holder.close();
    assertEquals(0, ac.inFlight());
  }

  @Test
  void closeFailsWaitersAndRefusesNewRequests() {
    AdmissionController ac = new AdmissionController(1, 4, Duration.ofSeconds(30));
    Ticket holder = ac.acquire("holder", NO_DEADLINE);
    CompletableFuture<Ticket> waiting = ac.admit("waiting", NO_DEADLINE);
    ac.close();
    CompletionException e = assertThrows(CompletionException.class, waiting::join);
    assertInstanceOf(EngineUnavailableException.class, e.getCause());
    assertThrows(EngineUnavailableException.class, () -> ac.admit("new", NO_DEADLINE));
    holder.close();
    assertEquals(0, ac.inFlight());
  }

  @Test
  void manyThreadsNeverExceedTheBounds() {
    int maxInFlight = 3;
    int queue = 5;
    AdmissionController ac = new AdmissionController(maxInFlight, queue, Duration.ofSeconds(5));
    AtomicInteger concurrent = new AtomicInteger();
    AtomicInteger maxConcurrent = new AtomicInteger();
    AtomicInteger maxQueue = new AtomicInteger();
    AtomicInteger served = new AtomicInteger();
    AtomicInteger refused = new AtomicInteger();
    int threads = 16;
    int perThread = 40;
    assertTimeoutPreemptively(
        Duration.ofSeconds(60),
        () -> {
          ExecutorService pool = Executors.newFixedThreadPool(threads);
          CountDownLatch start = new CountDownLatch(1);
          for (int t = 0; t < threads; t++) {
            int tid = t;
            pool.submit(
                () -> {
                  start.await();
                  for (int i = 0; i < perThread; i++) {
                    Ticket ticket;
                    try {
                      ticket = ac.acquire("r" + tid + "-" + i, NO_DEADLINE);
                    } catch (OverloadedException e) {
                      refused.incrementAndGet();
                      continue;
                    }
                    try {
                      int now = concurrent.incrementAndGet();
                      maxConcurrent.accumulateAndGet(now, Math::max);
                      maxQueue.accumulateAndGet(ac.queueDepth(), Math::max);
                      Thread.sleep(1);
                      concurrent.decrementAndGet();
                      served.incrementAndGet();
                    } finally {
                      ticket.close();
                    }
                  }
                  return null;
                });
          }
          start.countDown();
          pool.shutdown();
          assertTrue(pool.awaitTermination(50, TimeUnit.SECONDS));
        });
    assertTrue(maxConcurrent.get() <= maxInFlight, "max concurrent " + maxConcurrent.get());
    assertTrue(maxQueue.get() <= queue, "max queue " + maxQueue.get());
    assertEquals(threads * perThread, served.get() + refused.get());
    assertTrue(served.get() > 0);
    assertEquals(served.get(), ac.admittedTotal());
    assertEquals(0, ac.inFlight());
    assertEquals(0, ac.queueDepth());
  }
}
