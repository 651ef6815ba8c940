package dev.parlance.tts.core.runtime;

import dev.parlance.tts.core.metrics.RuntimeListener;
import dev.parlance.tts.spi.CancelledException;
import dev.parlance.tts.spi.EngineFailureException;
import dev.parlance.tts.spi.EngineUnavailableException;
import dev.parlance.tts.spi.TtsException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Continuous batching on one thread: while there is work it runs one batched {@link
 * BatchStepper#step} after another; between steps, rows that finished, were cancelled or passed
 * their deadline leave, and waiting jobs join in arrival order while the batch stays within {@code
 * maxBatchSize} rows and its rows' memory (as each job declares it on {@link #submit}) within the
 * memory budget. A long request therefore holds one row, never the whole decoder, and a cancelled
 * one stops within one step. A job that does not fit yet waits (its ticket's deadline still
 * applies); the jobs behind it wait too, so a large job is not starved by smaller ones.
 *
 * <p>Every submitted job ends exactly once: its row (if it joined) {@link BatchStepper#leave}s, its
 * {@link Ticket} is closed, releasing the admission slot, and then its sink gets {@link
 * RowSink#complete()} or {@link RowSink#fail}.
 *
 * @param <J> job type
 * @param <S> row state type
 * @param <O> output type
 */
public final class BatchScheduler<J, S, O> implements AutoCloseable {
  private static final Logger LOG = LoggerFactory.getLogger(BatchScheduler.class);

  private final BatchStepper<J, S, O> stepper;
  private final int maxBatchSize;
  private final long memoryBudget;
  private final RuntimeListener listener;
  private final Thread thread;

  private final ReentrantLock lock = new ReentrantLock();
  private final Condition workArrived = lock.newCondition();
  private final ArrayDeque<Pending<J, O>> pending = new ArrayDeque<>(); // guarded by lock
  private boolean closed; // guarded by lock

  // Owned by the scheduler thread; the volatile copies are for gauges.
  private final List<Row<S, O>> active = new ArrayList<>();
  private volatile int activeCount;
  private volatile long activeBytes;
  private volatile long stepCount;

  /** Starts the scheduler thread with no memory budget: {@code maxBatchSize} alone caps a batch. */
  public BatchScheduler(
      BatchStepper<J, S, O> stepper,
      int maxBatchSize,
      RuntimeListener listener,
      String threadName) {
    this(stepper, maxBatchSize, Long.MAX_VALUE, listener, threadName);
  }

  /**
   * Starts the scheduler thread.
   *
   * @param stepper the model
   * @param maxBatchSize rows per step, at least 1
   * @param memoryBudget bytes the rows of a batch may hold together, at least 0 ({@link
   *     Long#MAX_VALUE}: unbounded)
   * @param listener receives {@link RuntimeListener#batchStep} after every step
   * @param threadName the scheduler thread's name
   */
  public BatchScheduler(
      BatchStepper<J, S, O> stepper,
      int maxBatchSize,
      long memoryBudget,
      RuntimeListener listener,
      String threadName) {
    if (maxBatchSize < 1) {
      throw new IllegalArgumentException("maxBatchSize must be >= 1, got " + maxBatchSize);
    }
    if (memoryBudget < 0) {
      throw new IllegalArgumentException("memoryBudget must be >= 0, got " + memoryBudget);
    }
    this.stepper = Objects.requireNonNull(stepper, "stepper");
    this.maxBatchSize = maxBatchSize;
    this.memoryBudget = memoryBudget;
    this.listener = Objects.requireNonNull(listener, "listener");
    this.thread = new Thread(this::run, threadName);
    thread.setDaemon(true);
    thread.start();
  }

  /** {@link #submit(Object, long, Ticket, RowSink)} for a job whose row needs no memory budget. */
  public void submit(J job, Ticket ticket, RowSink<O> sink) {
    submit(job, 0, ticket, sink);
  }

  /**
   * Queues a job; it joins the batch at the next step boundary with room (a free row and {@code
   * rowBytes} left in the memory budget), after every job submitted before it.
   *
   * @param rowBytes memory the job's row holds while it runs, at most {@link #memoryBudget()}
   * @param ticket the admission slot; closed by the scheduler when the job ends. Cancelling it
   *     stops the job within one step.
   * @throws EngineUnavailableException the scheduler is closed (the ticket is closed and the sink
   *     is not called)
   * @throws IllegalArgumentException {@code rowBytes} is negative or exceeds the budget, so the job
   *     could never join (the ticket is closed and the sink is not called)
   */
  public void submit(J job, long rowBytes, Ticket ticket, RowSink<O> sink) {
    Pending<J, O> p =
        new Pending<>(
            Objects.requireNonNull(job, "job"),
            rowBytes,
            Objects.requireNonNull(ticket, "ticket"),
            Objects.requireNonNull(sink, "sink"));
    if (rowBytes < 0 || rowBytes > memoryBudget) {
      ticket.close();
      throw new IllegalArgumentException(
          "a row of "
              + rowBytes
              + " bytes can never fit the batch memory budget of "
              + memoryBudget);
    }
    lock.lock();
    try {
      if (!closed) {
        pending.addLast(p);
        workArrived.signal();
        return;
      }
    } finally {
      lock.unlock();
    }
    ticket.close();
    throw new EngineUnavailableException("the scheduler is shut down");
  }

  /** Rows in the batch now. */
  public int activeRows() {
    return activeCount;
  }

  /** Jobs submitted but not yet joined. */
  public int pendingJobs() {
    lock.lock();
    try {
      return pending.size();
    } finally {
      lock.unlock();
    }
  }

  /** Batched steps run since start. */
  public long steps() {
    return stepCount;
  }

  /** The configured batch-size cap. */
  public int maxBatchSize() {
    return maxBatchSize;
  }

  /** Bytes the rows of a batch may hold together ({@link Long#MAX_VALUE}: unbounded). */
  public long memoryBudget() {
    return memoryBudget;
  }

  /** Bytes the rows in the batch now hold, as their jobs declared them. */
  public long activeBytes() {
    return activeBytes;
  }

  /**
   * Stops: waiting and running jobs fail with {@link EngineUnavailableException} at the next step
   * boundary, their rows leave and their tickets close. Waits up to {@code timeout} for the
   * scheduler thread to finish.
   *
   * @return whether the thread finished in time
   */
  public boolean close(Duration timeout) {
    lock.lock();
    try {
      closed = true;
      workArrived.signal();
    } finally {
      lock.unlock();
    }
    if (Thread.currentThread() == thread) {
      return false;
    }
    try {
      thread.join(Math.max(1, timeout.toMillis()));
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    return !thread.isAlive();
  }

  /** {@link #close(Duration)} waiting up to 30 seconds. */
  @Override
  public void close() {
    close(Duration.ofSeconds(30));
  }

  private void run() {
    List<Pending<J, O>> joining = new ArrayList<>();
    List<Pending<J, O>> dropped = new ArrayList<>();
    try {
      while (true) {
        joining.clear();
        dropped.clear();
        lock.lock();
        try {
          while (!closed && active.isEmpty() && pending.isEmpty()) {
            workArrived.awaitUninterruptibly();
          }
          if (closed) {
            break;
          }
          for (Iterator<Pending<J, O>> it = pending.iterator(); it.hasNext(); ) {
            Pending<J, O> p = it.next();
            if (p.ticket.stopped()) {
              it.remove();
              dropped.add(p);
            }
          }
        } finally {
          lock.unlock();
        }
        for (Pending<J, O> p : dropped) {
          end(p.ticket, p.sink, stopError(p.ticket));
        }
        leaveStoppedRows();
        long used = bytesOf(active);
        lock.lock();
        try {
          while (active.size() + joining.size() < maxBatchSize
              && !pending.isEmpty()
              && pending.peekFirst().bytes <= memoryBudget - used) {
            Pending<J, O> p = pending.pollFirst();
            used += p.bytes;
            joining.add(p);
          }
        } finally {
          lock.unlock();
        }
        join(joining);
        activeCount = active.size();
        activeBytes = bytesOf(active);
        if (!active.isEmpty()) {
          step();
        }
      }
    } catch (Throwable t) {
      LOG.error("batch scheduler thread died", t);
      lock.lock();
      try {
        closed = true;
      } finally {
        lock.unlock();
      }
      throw t;
    } finally {
      shutDown();
    }
  }

  private void leaveStoppedRows() {
    for (Iterator<Row<S, O>> it = active.iterator(); it.hasNext(); ) {
      Row<S, O> row = it.next();
      if (row.ticket.stopped()) {
        it.remove();
        leave(row);
        end(row.ticket, row.sink, stopError(row.ticket));
      }
    }
  }

  private void join(List<Pending<J, O>> joining) {
    if (joining.isEmpty()) {
      return;
    }
    List<S> states;
    try {
      states = stepper.join(joining.stream().map(p -> p.job).toList());
      if (states.size() != joining.size()) {
        throw new IllegalStateException(
            "join returned " + states.size() + " rows for " + joining.size() + " jobs");
      }
    } catch (RuntimeException e) {
      LOG.warn("joining {} rows failed", joining.size(), e);
      for (Pending<J, O> p : joining) {
        end(p.ticket, p.sink, failure("could not start synthesis", e));
      }
      return;
    }
    for (int i = 0; i < joining.size(); i++) {
      Pending<J, O> p = joining.get(i);
      active.add(new Row<>(states.get(i), p.bytes, p.ticket, p.sink));
    }
  }

  private void step() {
    List<S> states = new ArrayList<>(active.size());
    for (Row<S, O> row : active) {
      states.add(row.state);
    }
    long start = System.nanoTime();
    List<StepResult<O>> results;
    try {
      results = stepper.step(states);
      if (results.size() != states.size()) {
        throw new IllegalStateException(
            "step returned " + results.size() + " results for " + states.size() + " rows");
      }
    } catch (RuntimeException e) {
      LOG.warn("batched step over {} rows failed", states.size(), e);
      endActive(failure("decoder step failed", e));
      return;
    }
    long nanos = System.nanoTime() - start;
    stepCount++;
    listener.batchStep(states.size(), nanos);
    List<Row<S, O>> finished = new ArrayList<>();
    for (int i = 0; i < active.size(); i++) {
      Row<S, O> row = active.get(i);
      StepResult<O> r = results.get(i);
      if (r.output() != null && !row.ticket.stopped()) {
        try {
          row.sink.accept(r.output());
        } catch (RuntimeException e) {
          LOG.debug("sink of {} refused output; cancelling", row.ticket.requestId(), e);
          row.ticket.cancel();
        }
      }
      if (r.finished() && !row.ticket.stopped()) {
        finished.add(row);
      }
    }
    for (Row<S, O> row : finished) {
      active.remove(row);
      leave(row);
      row.ticket.close();
    }
    // slots and memory are given back before any caller sees its stream end
    activeCount = active.size();
    activeBytes = bytesOf(active);
    for (Row<S, O> row : finished) {
      try {
        row.sink.complete();
      } catch (RuntimeException e) {
        LOG.debug("sink of {} failed on completion", row.ticket.requestId(), e);
      }
    }
  }

  private static long bytesOf(List<? extends Row<?, ?>> rows) {
    long sum = 0;
    for (Row<?, ?> row : rows) {
      sum += row.bytes;
    }
    return sum;
  }

  private void shutDown() {
    List<Pending<J, O>> left;
    lock.lock();
    try {
      closed = true;
      left = new ArrayList<>(pending);
      pending.clear();
    } finally {
      lock.unlock();
    }
    EngineUnavailableException error =
        new EngineUnavailableException("the engine is shutting down");
    endActive(error);
    for (Pending<J, O> p : left) {
      end(p.ticket, p.sink, error);
    }
  }

  /** Ends every decoding row with {@code error} and empties the batch. */
  private void endActive(TtsException error) {
    for (Row<S, O> row : active) {
      leave(row);
      end(row.ticket, row.sink, error);
    }
    active.clear();
    activeCount = 0;
    activeBytes = 0;
  }

  private void leave(Row<S, O> row) {
    try {
      stepper.leave(row.state);
    } catch (RuntimeException e) {
      LOG.warn("leaving row of {} failed", row.ticket.requestId(), e);
    }
  }

  /** Frees the slot first, so a caller that sees its stream end can be admitted again at once. */
  private static <O> void end(Ticket ticket, RowSink<O> sink, TtsException error) {
    ticket.close();
    try {
      sink.fail(error);
    } catch (RuntimeException e) {
      LOG.debug("sink of {} failed on error delivery", ticket.requestId(), e);
    }
  }

  /** Why a stopped ticket stopped (a wall clock stepping back cannot make the reason vanish). */
  private static CancelledException stopError(Ticket ticket) {
    return ticket
        .stopReason()
        .orElseGet(
            () -> new CancelledException("request " + ticket.requestId() + " was stopped", false));
  }

  private static TtsException failure(String message, RuntimeException cause) {
    return cause instanceof TtsException tts
        ? tts
        : new EngineFailureException(message + ": " + cause, cause);
  }

  private record Pending<J, O>(J job, long bytes, Ticket ticket, RowSink<O> sink) {}

  /** Identity-equal on purpose: two rows may hold equal states. */
  private static final class Row<S, O> {
    final S state;
    final long bytes;
    final Ticket ticket;
    final RowSink<O> sink;

    Row(S state, long bytes, Ticket ticket, RowSink<O> sink) {
      this.state = state;
      this.bytes = bytes;
      this.ticket = ticket;
      this.sink = sink;
    }
  }
}
