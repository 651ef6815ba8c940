package dev.parlance.tts.core.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A deterministic test model: a job's row emits {@code id * 100_000 + n} at its n-th step (1-based)
 * and finishes after {@code length} steps. Each row's outputs depend on its own job only, as the
 * real decoder's must. Records everything the scheduler does to it.
 */
final class CountingStepper
    implements BatchStepper<CountingStepper.Job, CountingStepper.Row, Long> {

  record Job(int id, int length) {
    List<Long> expected() {
      List<Long> out = new ArrayList<>();
      for (int n = 1; n <= length; n++) {
        out.add(id * 100_000L + n);
      }
      return out;
    }
  }

  static final class Row {
    final Job job;
    final AtomicInteger steps = new AtomicInteger();

    Row(Job job) {
      this.job = job;
    }
  }

  final List<Integer> joinOrder = Collections.synchronizedList(new ArrayList<>());
  final List<Integer> batchSizes = Collections.synchronizedList(new ArrayList<>());
  final Map<Integer, Row> rows = new ConcurrentHashMap<>();
  final AtomicInteger joined = new AtomicInteger();
  final AtomicInteger left = new AtomicInteger();
  final Map<Integer, AtomicInteger> leavesPerJob = new ConcurrentHashMap<>();
  volatile long stepSleepMillis;
  volatile int failJoinOfId = -1;
  volatile int failStepWhenIdPresent = -1;
  private volatile Thread schedulerThread;

  @Override
  public List<Row> join(List<Job> jobs) {
    checkThread();
    List<Row> out = new ArrayList<>();
    for (Job job : jobs) {
      if (job.id() == failJoinOfId) {
        throw new IllegalStateException("join failure for " + job.id());
      }
    }
    for (Job job : jobs) {
      joinOrder.add(job.id());
      Row row = new Row(job);
      rows.put(job.id(), row);
      out.add(row);
      joined.incrementAndGet();
    }
    return out;
  }

  @Override
  public List<StepResult<Long>> step(List<Row> batch) {
    checkThread();
    batchSizes.add(batch.size());
    for (Row r : batch) {
      if (r.job.id() == failStepWhenIdPresent) {
        throw new IllegalStateException("step failure");
      }
    }
    if (stepSleepMillis > 0) {
      try {
        Thread.sleep(stepSleepMillis);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
    List<StepResult<Long>> out = new ArrayList<>(batch.size());
    for (Row r : batch) {
      int n = r.steps.incrementAndGet();
      long value = r.job.id() * 100_000L + n;
      out.add(n >= r.job.length() ? StepResult.last(value) : StepResult.emit(value));
    }
    return out;
  }

  @Override
  public void leave(Row row) {
    checkThread();
    left.incrementAndGet();
    leavesPerJob.computeIfAbsent(row.job.id(), k -> new AtomicInteger()).incrementAndGet();
  }

  int maxBatch() {
    synchronized (batchSizes) {
      return batchSizes.stream().mapToInt(Integer::intValue).max().orElse(0);
    }
  }

  /** Everything must happen on the scheduler's one thread. */
  private void checkThread() {
    Thread now = Thread.currentThread();
    if (schedulerThread == null) {
      schedulerThread = now;
    } else if (schedulerThread != now) {
      throw new AssertionError("called from " + now + " and " + schedulerThread);
    }
  }

  /** Every element a job streams, read until its stream ends. */
  static List<Long> drain(StreamBuffer<Long> buffer) {
    List<Long> out = new ArrayList<>();
    while (buffer.hasNext()) {
      out.add(buffer.next());
    }
    return out;
  }
}
