package dev.parlance.tts.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.core.metrics.RuntimeListener;
import dev.parlance.tts.core.runtime.CountingStepper.Job;
import dev.parlance.tts.spi.CancelledException;
import dev.parlance.tts.spi.EngineFailureException;
import dev.parlance.tts.spi.EngineUnavailableException;
import dev.parlance.tts.spi.OverloadedException;
import dev.parlance.tts.spi.TtsException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class BatchSchedulerTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  private final CountingStepper stepper = new CountingStepper();
  private final AtomicLong stepEvents = new AtomicLong();
  private final AtomicInteger maxReportedBatch = new AtomicInteger();
  private final RuntimeListener listener =
      new RuntimeListener() {
        @Override
        public void batchStep(int batchSize, long stepNanos) {
          stepEvents.incrementAndGet();
          maxReportedBatch.accumulateAndGet(batchSize, Math::max);
        }
      };
  private AdmissionController admission;
  private BatchScheduler<Job, CountingStepper.Row, Long> scheduler;

  private void start(int maxInFlight, int queue, int maxBatch) {
    admission = new AdmissionController(maxInFlight, queue, Duration.ofSeconds(30));
    scheduler = new BatchScheduler<>(stepper, maxBatch, listener, "test-scheduler");
  }

  @AfterEach
  void stop() {
    if (scheduler != null) {
      assertTrue(scheduler.close(Duration.ofSeconds(10)), "scheduler thread did not stop");
    }
  }

  private StreamBuffer<Long> submit(Job job, Ticket ticket) {
    StreamBuffer<Long> buffer = new StreamBuffer<>();
    buffer.onClose(ticket::cancel);
    scheduler.submit(job, ticket, buffer);
    return buffer;
  }

  private StreamBuffer<Long> submit(Job job) {
    return submit(job, admission.acquire("job-" + job.id(), Optional.empty()));
  }

  @Test
  void aSingleJobRunsToTheEndAndReleasesItsSlot() {
    start(2, 2, 4);
    Job job = new Job(7, 5);
    assertTimeoutPreemptively(
        LIMIT, () -> assertEquals(job.expected(), CountingStepper.drain(submit(job))));
    assertEquals(0, admission.inFlight());
    assertEquals(1, stepper.joined.get());
    assertEquals(1, stepper.left.get());
    assertEquals(5, scheduler.steps());
    assertEquals(5, stepEvents.get());
  }

  @Test
  void manyThreadsGetBatchInvariantOutputsWithinBounds() {
    int maxInFlight = 6;
    int maxBatch = 4;
    start(maxInFlight, 200, maxBatch);
    int threads = 8;
    int perThread = 25;
    Map<Integer, List<Long>> got = new ConcurrentHashMap<>();
    Map<Integer, Job> jobs = new ConcurrentHashMap<>();
    AtomicInteger maxSeenInFlight = new AtomicInteger();
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          ExecutorService pool = Executors.newFixedThreadPool(threads);
          CountDownLatch go = new CountDownLatch(1);
          List<Future<?>> futures = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            int tid = t;
            futures.add(
                pool.submit(
                    () -> {
                      Random random = new Random(tid);
                      go.await();
                      for (int i = 0; i < perThread; i++) {
                        Job job = new Job(tid * 1000 + i, 1 + random.nextInt(40));
                        jobs.put(job.id(), job);
                        StreamBuffer<Long> buffer = submit(job);
                        maxSeenInFlight.accumulateAndGet(admission.inFlight(), Math::max);
                        got.put(job.id(), CountingStepper.drain(buffer));
                      }
                      return null;
                    }));
          }
          go.countDown();
          for (Future<?> f : futures) {
            f.get();
          }
          pool.shutdown();
        });
    assertEquals(threads * perThread, got.size());
    for (Job job : jobs.values()) {
      assertEquals(job.expected(), got.get(job.id()), "outputs of job " + job.id());
    }
    assertTrue(stepper.maxBatch() <= maxBatch, "batch of " + stepper.maxBatch());
    assertTrue(stepper.maxBatch() > 1, "jobs never shared a step");
    assertTrue(maxReportedBatch.get() <= maxBatch);
    assertTrue(maxSeenInFlight.get() <= maxInFlight);
    assertEquals(threads * perThread, stepper.joined.get());
    assertEquals(threads * perThread, stepper.left.get());
    stepper.leavesPerJob.values().forEach(n -> assertEquals(1, n.get()));
    assertEquals(0, admission.inFlight());
    assertEquals(0, scheduler.activeRows());
    assertEquals(0, scheduler.pendingJobs());
  }

  @Test
  void randomCancellationsAndDeadlinesUnderLoadLeakNothing() {
    start(5, 500, 3);
    int threads = 8;
    int perThread = 30;
    AtomicInteger completed = new AtomicInteger();
    AtomicInteger cancelled = new AtomicInteger();
    AtomicInteger expired = new AtomicInteger();
    List<Ticket> tickets = new java.util.concurrent.CopyOnWriteArrayList<>();
    ExecutorService cancellers = Executors.newSingleThreadExecutor();
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          ExecutorService pool = Executors.newFixedThreadPool(threads);
          List<Future<?>> futures = new ArrayList<>();
          for (int t = 0; t < threads; t++) {
            int tid = t;
            futures.add(
                pool.submit(
                    () -> {
                      Random random = new Random(100 + tid);
                      for (int i = 0; i < perThread; i++) {
                        int kind = random.nextInt(6);
                        // kind 0 would run for a million steps: its 2 ms deadline ends it.
                        Job job =
                            new Job(tid * 1000 + i, kind == 0 ? 1_000_000 : 1 + random.nextInt(30));
                        Optional<Instant> deadline =
                            kind == 0 ? Optional.of(Instant.now().plusMillis(2)) : Optional.empty();
                        Ticket ticket;
                        try {
                          ticket = admission.acquire("job-" + job.id(), deadline);
                        } catch (CancelledException e) {
                          assertTrue(e.deadlineExceeded());
                          expired.incrementAndGet(); // the deadline passed while queued
                          continue;
                        }
                        tickets.add(ticket);
                        StreamBuffer<Long> buffer = submit(job, ticket);
                        if (kind == 1 || kind == 2) {
                          int after = random.nextInt(5);
                          cancellers.submit(
                              () -> {
                                for (int k = 0; k < after && !ticket.isReleased(); k++) {
                                  Thread.onSpinWait();
                                }
                                ticket.cancel();
                              });
                        }
                        List<Long> out = new ArrayList<>();
                        try {
                          while (buffer.hasNext()) {
                            out.add(buffer.next());
                          }
                          assertEquals(job.expected(), out);
                          completed.incrementAndGet();
                        } catch (CancelledException e) {
                          for (int n = 0; n < out.size(); n++) { // a prefix of the solo output
                            assertEquals(job.id() * 100_000L + n + 1, out.get(n));
                          }
                          (e.deadlineExceeded() ? expired : cancelled).incrementAndGet();
                        }
                      }
                      return null;
                    }));
          }
          for (Future<?> f : futures) {
            f.get();
          }
          pool.shutdown();
          cancellers.shutdown();
          assertTrue(cancellers.awaitTermination(10, java.util.concurrent.TimeUnit.SECONDS));
          while (admission.inFlight() > 0) {
            Thread.sleep(1);
          }
        });
    assertEquals(threads * perThread, completed.get() + cancelled.get() + expired.get());
    assertTrue(expired.get() > 0, "no deadline fired");
    assertTrue(cancelled.get() > 0, "no cancellation landed");
    assertTrue(completed.get() > 0);
    tickets.forEach(t -> assertTrue(t.isReleased(), t.toString()));
    assertEquals(stepper.joined.get(), stepper.left.get());
    stepper.leavesPerJob.values().forEach(n -> assertEquals(1, n.get()));
    assertTrue(stepper.maxBatch() <= 3);
    assertEquals(0, admission.queueDepth());
  }

  @Test
  void cancellationStopsTheRowWithinOneStep() {
    start(4, 4, 4);
    stepper.stepSleepMillis = 2;
    Job endless = new Job(1, Integer.MAX_VALUE);
    Job neighbour = new Job(2, 200);
    Ticket ticket = admission.acquire("endless", Optional.empty());
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          StreamBuffer<Long> buffer = submit(endless, ticket);
          StreamBuffer<Long> other = submit(neighbour);
          for (int i = 0; i < 10; i++) {
            assertTrue(buffer.hasNext());
            buffer.next();
          }
          // Cancel from another thread, like a client disconnect would.
          AtomicInteger stepsAtCancel = new AtomicInteger();
          Thread canceller =
              new Thread(
                  () -> {
                    stepsAtCancel.set(stepper.rows.get(1).steps.get());
                    ticket.cancel();
                  });
          canceller.start();
          canceller.join();
          CancelledException e =
              assertThrows(CancelledException.class, () -> CountingStepper.drain(buffer));
          assertFalse(e.deadlineExceeded());
          int stepsAfter = stepper.rows.get(1).steps.get();
          assertTrue(
              stepsAfter <= stepsAtCancel.get() + 1,
              "ran " + (stepsAfter - stepsAtCancel.get()) + " steps after cancel");
          while (!ticket.isReleased()) {
            Thread.sleep(1);
          }
          assertEquals(1, stepper.leavesPerJob.get(1).get());
          // The neighbour is not disturbed.
          assertEquals(neighbour.expected(), CountingStepper.drain(other));
        });
    assertEquals(0, admission.inFlight());
  }

  @Test
  void consumerClosingTheStreamCancelsTheRow() {
    start(2, 2, 2);
    stepper.stepSleepMillis = 1;
    Ticket ticket = admission.acquire("x", Optional.empty());
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          StreamBuffer<Long> buffer = submit(new Job(3, Integer.MAX_VALUE), ticket);
          assertTrue(buffer.hasNext());
          buffer.close();
          assertFalse(buffer.hasNext());
          while (!ticket.isReleased()) {
            Thread.sleep(1);
          }
        });
    assertTrue(ticket.isCancelled());
    assertEquals(1, stepper.left.get());
    assertEquals(0, admission.inFlight());
  }

  @Test
  void aLongRequestDoesNotStarveShortOnes() {
    start(8, 8, 2);
    stepper.stepSleepMillis = 1;
    Ticket longTicket = admission.acquire("long", Optional.empty());
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          StreamBuffer<Long> longOne = submit(new Job(1, Integer.MAX_VALUE), longTicket);
          assertTrue(longOne.hasNext());
          for (int i = 2; i <= 6; i++) {
            Job shortJob = new Job(i, 20);
            assertEquals(shortJob.expected(), CountingStepper.drain(submit(shortJob)));
          }
          assertFalse(longTicket.isReleased(), "the long request still runs beside them");
          longOne.close();
        });
  }

  @Test
  void waitingJobsJoinInArrivalOrder() {
    start(8, 8, 1);
    stepper.stepSleepMillis = 1;
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          StreamBuffer<Long> first = submit(new Job(1, 30));
          List<StreamBuffer<Long>> rest = new ArrayList<>();
          for (int i = 2; i <= 5; i++) {
            rest.add(submit(new Job(i, 3)));
          }
          CountingStepper.drain(first);
          for (StreamBuffer<Long> b : rest) {
            CountingStepper.drain(b);
          }
        });
    assertEquals(List.of(1, 2, 3, 4, 5), stepper.joinOrder);
    assertEquals(1, stepper.maxBatch());
  }

  @Test
  void aDeadlineStopsTheRow() {
    start(2, 2, 2);
    stepper.stepSleepMillis = 1;
    Ticket ticket = admission.acquire("d", Optional.of(Instant.now().plusMillis(100)));
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          StreamBuffer<Long> buffer = submit(new Job(4, Integer.MAX_VALUE), ticket);
          CancelledException e =
              assertThrows(CancelledException.class, () -> CountingStepper.drain(buffer));
          assertTrue(e.deadlineExceeded());
        });
    assertTrue(ticket.isReleased());
    assertEquals(0, admission.inFlight());
  }

  @Test
  void aFailedStepFailsItsRowsAndTheSchedulerGoesOn() {
    start(4, 4, 4);
    stepper.failStepWhenIdPresent = 9;
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          TtsException e =
              assertThrows(TtsException.class, () -> CountingStepper.drain(submit(new Job(9, 5))));
          assertInstanceOf(EngineFailureException.class, e);
          Job next = new Job(10, 4);
          assertEquals(next.expected(), CountingStepper.drain(submit(next)));
        });
    assertEquals(2, stepper.left.get());
    assertEquals(0, admission.inFlight());
  }

  @Test
  void aFailedJoinFailsOnlyThatJob() {
    start(4, 4, 4);
    stepper.failJoinOfId = 11;
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          assertThrows(
              EngineFailureException.class, () -> CountingStepper.drain(submit(new Job(11, 5))));
          Job fine = new Job(12, 3);
          assertEquals(fine.expected(), CountingStepper.drain(submit(fine)));
        });
    assertEquals(0, admission.inFlight());
  }

  @Test
  void closeFailsRunningAndWaitingJobsAndRefusesNewOnes() throws Exception {
    start(4, 4, 1);
    stepper.stepSleepMillis = 1;
    StreamBuffer<Long> running = submit(new Job(1, Integer.MAX_VALUE));
    StreamBuffer<Long> waiting = submit(new Job(2, 5));
    assertTimeoutPreemptively(LIMIT, () -> assertTrue(running.hasNext()));
    assertTrue(scheduler.close(Duration.ofSeconds(10)));
    assertThrows(EngineUnavailableException.class, () -> CountingStepper.drain(running));
    assertThrows(EngineUnavailableException.class, () -> CountingStepper.drain(waiting));
    Ticket late = admission.acquire("late", Optional.empty());
    assertThrows(EngineUnavailableException.class, () -> submit(new Job(3, 1), late));
    assertTrue(late.isReleased());
    assertEquals(0, admission.inFlight());
    assertEquals(stepper.joined.get(), stepper.left.get());
  }

  @Test
  void overloadSurfacesAtAdmissionNotInTheScheduler() {
    start(1, 0, 4);
    stepper.stepSleepMillis = 1;
    Ticket only = admission.acquire("only", Optional.empty());
    StreamBuffer<Long> buffer = submit(new Job(1, Integer.MAX_VALUE), only);
    assertThrows(OverloadedException.class, () -> admission.admit("second", Optional.empty()));
    buffer.close();
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          while (admission.inFlight() > 0) {
            Thread.sleep(1);
          }
        });
    admission.acquire("third", Optional.empty()).close();
  }
}
