package dev.parlance.tts.core.runtime;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.core.metrics.RuntimeListener;
import dev.parlance.tts.core.runtime.CountingStepper.Job;
import dev.parlance.tts.spi.CancelledException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The memory budget caps a batch beside {@code maxBatchSize}: rows join only while their declared
 * bytes fit, a job that does not fit yet waits (in arrival order, under its deadline), and a job
 * that could never fit is refused at submission.
 */
class BatchMemoryBudgetTest {
  private static final Duration LIMIT = Duration.ofSeconds(60);

  private final CountingStepper stepper = new CountingStepper();
  private AdmissionController admission;
  private BatchScheduler<Job, CountingStepper.Row, Long> scheduler;

  private void start(int maxInFlight, int maxBatch, long budget) {
    admission = new AdmissionController(maxInFlight, 100, Duration.ofSeconds(30));
    scheduler =
        new BatchScheduler<>(stepper, maxBatch, budget, RuntimeListener.NONE, "test-scheduler");
  }

  @AfterEach
  void stop() {
    if (scheduler != null) {
      assertTrue(scheduler.close(Duration.ofSeconds(10)), "scheduler thread did not stop");
    }
  }

  private StreamBuffer<Long> submit(Job job, long bytes, Optional<Instant> deadline) {
    Ticket ticket = admission.acquire("job-" + job.id(), deadline);
    StreamBuffer<Long> buffer = new StreamBuffer<>();
    buffer.onClose(ticket::cancel);
    scheduler.submit(job, bytes, ticket, buffer);
    return buffer;
  }

  private StreamBuffer<Long> submit(Job job, long bytes) {
    return submit(job, bytes, Optional.empty());
  }

  @Test
  void concurrentJobsShareTheBudgetAndAllComplete() {
    start(6, 8, 250); // room for two rows of 100 bytes, though the batch size allows eight
    stepper.stepSleepMillis = 1;
    AtomicLong maxActiveBytes = new AtomicLong();
    Map<Integer, List<Long>> got = new ConcurrentHashMap<>();
    List<Job> jobs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      jobs.add(new Job(i, 5 + 7 * i));
    }
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          ExecutorService pool = Executors.newFixedThreadPool(jobs.size());
          CountDownLatch go = new CountDownLatch(1);
          List<Future<?>> futures = new ArrayList<>();
          for (Job job : jobs) {
            futures.add(
                pool.submit(
                    () -> {
                      go.await();
                      StreamBuffer<Long> buffer = submit(job, 100);
                      List<Long> out = new ArrayList<>();
                      while (buffer.hasNext()) {
                        out.add(buffer.next());
                        maxActiveBytes.accumulateAndGet(scheduler.activeBytes(), Math::max);
                      }
                      got.put(job.id(), out);
                      return null;
                    }));
          }
          go.countDown();
          for (Future<?> f : futures) {
            f.get();
          }
          pool.shutdown();
        });
    for (Job job : jobs) {
      assertEquals(job.expected(), got.get(job.id()), "outputs of job " + job.id());
    }
    assertEquals(2, stepper.maxBatch(), "two rows fit the budget, and they did share steps");
    assertTrue(maxActiveBytes.get() <= 250, "rows held " + maxActiveBytes.get());
    assertEquals(6, stepper.left.get());
    assertEquals(0, scheduler.activeBytes());
    assertEquals(0, admission.inFlight());
  }

  @Test
  void aJobThatDoesNotFitYetWaitsAndKeepsItsPlaceInLine() {
    start(4, 8, 250);
    stepper.stepSleepMillis = 1;
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          Job a = new Job(1, 40);
          StreamBuffer<Long> first = submit(a, 100);
          first.hasNext(); // a is running
          Job b = new Job(2, 10); // 100 + 200 > 250: waits for a
          Job c = new Job(3, 10); // would fit beside a, but joins after b
          StreamBuffer<Long> second = submit(b, 200);
          StreamBuffer<Long> third = submit(c, 100);
          assertEquals(a.expected(), CountingStepper.drain(first));
          assertEquals(b.expected(), CountingStepper.drain(second));
          assertEquals(c.expected(), CountingStepper.drain(third));
        });
    assertEquals(List.of(1, 2, 3), stepper.joinOrder);
    assertEquals(1, stepper.maxBatch(), "no two of these rows fit the budget together");
  }

  @Test
  void aWaitingJobStillExpiresAtItsDeadline() {
    start(4, 8, 100);
    assertTimeoutPreemptively(
        LIMIT,
        () -> {
          StreamBuffer<Long> running = submit(new Job(1, Integer.MAX_VALUE), 100);
          running.hasNext();
          StreamBuffer<Long> waiting =
              submit(new Job(2, 5), 100, Optional.of(Instant.now().plusMillis(50)));
          CancelledException e =
              assertThrows(CancelledException.class, () -> CountingStepper.drain(waiting));
          assertTrue(e.deadlineExceeded());
          running.close();
        });
    assertEquals(List.of(1), stepper.joinOrder);
  }

  @Test
  void aJobThatCanNeverFitIsRefusedAtOnce() {
    start(2, 8, 250);
    Ticket ticket = admission.acquire("too-big", Optional.empty());
    StreamBuffer<Long> buffer = new StreamBuffer<>();
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> scheduler.submit(new Job(1, 5), 251, ticket, buffer));
    assertTrue(e.getMessage().contains("251") && e.getMessage().contains("250"), e.getMessage());
    assertTrue(ticket.isReleased());
    assertEquals(0, admission.inFlight());
    assertEquals(0, scheduler.pendingJobs());
    assertEquals(250, scheduler.memoryBudget());
    Job fits = new Job(2, 3);
    assertTimeoutPreemptively(
        LIMIT, () -> assertEquals(fits.expected(), CountingStepper.drain(submit(fits, 250))));
  }
}
