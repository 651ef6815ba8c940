package dev.parlance.tts.core.runtime;

import dev.parlance.tts.spi.CancelledException;
import dev.parlance.tts.spi.EngineUnavailableException;
import dev.parlance.tts.spi.OverloadedException;
import dev.parlance.tts.spi.TtsException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Admission control: at most {@code maxInFlight} requests hold a {@link Ticket}, at most {@code
 * queueCapacity} more wait for one in first-come order, and none waits longer than {@code
 * maxQueueWait} (or past its deadline).
 *
 * <p>A request that cannot be queued, or whose estimated wait already exceeds the limit, is refused
 * at once with an {@link OverloadedException} carrying a retry-after estimate. Waiting costs no
 * thread: a waiter is a {@link CompletableFuture} that a releasing thread completes, and expiry
 * runs on the JDK's shared delay scheduler.
 */
public final class AdmissionController implements AutoCloseable {
  /** Weight of the newest sample in the moving average of slot hold times. */
  private static final double HOLD_EWMA_ALPHA = 0.2;

  private final int maxInFlight;
  private final int queueCapacity;
  private final Duration maxQueueWait;
  private final Clock clock;
  private final LongSupplier nanoTime;

  private final ReentrantLock lock = new ReentrantLock();
  private final ArrayDeque<Waiter> queue = new ArrayDeque<>(); // guarded by lock
  private int inFlight; // guarded by lock
  private double meanHoldNanos; // guarded by lock; 0 until a ticket was released
  private boolean closed; // guarded by lock
  private long admittedTotal; // guarded by lock
  private long rejectedTotal; // guarded by lock

  /**
   * @param maxInFlight tickets held at once, at least 1
   * @param queueCapacity requests allowed to wait, at least 0
   * @param maxQueueWait the longest a request may wait, positive
   */
  public AdmissionController(int maxInFlight, int queueCapacity, Duration maxQueueWait) {
    this(maxInFlight, queueCapacity, maxQueueWait, Clock.systemUTC(), System::nanoTime);
  }

  AdmissionController(
      int maxInFlight,
      int queueCapacity,
      Duration maxQueueWait,
      Clock clock,
      LongSupplier nanoTime) {
    if (maxInFlight < 1) {
      throw new IllegalArgumentException("maxInFlight must be >= 1, got " + maxInFlight);
    }
    if (queueCapacity < 0) {
      throw new IllegalArgumentException("queueCapacity must be >= 0, got " + queueCapacity);
    }
    if (maxQueueWait.isNegative() || maxQueueWait.isZero()) {
      throw new IllegalArgumentException("maxQueueWait must be positive, got " + maxQueueWait);
    }
    this.maxInFlight = maxInFlight;
    this.queueCapacity = queueCapacity;
    this.maxQueueWait = maxQueueWait;
    this.clock = clock;
    this.nanoTime = nanoTime;
  }

  /** An admission controller with the limits of {@code config}. */
  public static AdmissionController of(RuntimeConfig config) {
    return new AdmissionController(
        config.maxInFlight(), config.queueCapacity(), config.maxQueueWait());
  }

  /**
   * Asks for a slot without blocking.
   *
   * @return a future that completes with the ticket once admitted (at once when a slot is free), or
   *     fails with {@link OverloadedException} when the maximum queue wait passes, {@link
   *     CancelledException} when the deadline passes first, or {@link EngineUnavailableException}
   *     on {@link #close()}. Cancelling the future leaves the queue.
   * @throws OverloadedException the queue is full or the estimated wait is too long
   * @throws CancelledException the deadline has already passed
   * @throws EngineUnavailableException the controller is closed
   */
  public CompletableFuture<Ticket> admit(String requestId, Optional<Instant> deadline) {
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(deadline, "deadline");
    long now = nanoTime.getAsLong();
    Ticket ticket = new Ticket(this, requestId, deadline, clock, now);
    Duration untilDeadline =
        deadline.map(d -> Duration.between(clock.instant(), d)).orElse(maxQueueWait);
    if (untilDeadline.isNegative() || untilDeadline.isZero()) {
      throw new CancelledException(
          "request " + requestId + " passed its deadline before admission", true);
    }
    Waiter waiter;
    lock.lock();
    try {
      if (closed) {
        throw new EngineUnavailableException("the engine is shutting down");
      }
      if (inFlight < maxInFlight && queue.isEmpty()) {
        inFlight++;
        admittedTotal++;
        ticket.markAdmitted(now);
        return CompletableFuture.completedFuture(ticket);
      }
      if (queue.size() >= queueCapacity) {
        rejectedTotal++;
        throw new OverloadedException(
            "admission queue is full (" + queue.size() + " waiting, " + inFlight + " in flight)",
            retryAfterLocked(queue.size() + 1));
      }
      Optional<Duration> estimate = estimatedWaitLocked(queue.size() + 1);
      if (estimate.isPresent() && estimate.get().compareTo(maxQueueWait) > 0) {
        rejectedTotal++;
        throw new OverloadedException(
            "estimated queue wait "
                + estimate.get().toMillis()
                + " ms exceeds the maximum of "
                + maxQueueWait.toMillis()
                + " ms",
            estimate.get());
      }
      waiter = new Waiter(ticket, new CompletableFuture<>());
      queue.addLast(waiter);
    } finally {
      lock.unlock();
    }
    boolean deadlineFirst = untilDeadline.compareTo(maxQueueWait) < 0;
    Duration wait = deadlineFirst ? untilDeadline : maxQueueWait;
    CompletableFuture.delayedExecutor(wait.toNanos(), TimeUnit.NANOSECONDS)
        .execute(() -> expire(waiter, deadlineFirst));
    // A caller that gives up (future.cancel) leaves the queue at once.
    waiter.future.whenComplete(
        (t, error) -> {
          if (waiter.future.isCancelled()) {
            remove(waiter);
          }
        });
    return waiter.future;
  }

  /**
   * Asks for a slot, parking the calling thread while queued.
   *
   * @throws OverloadedException refused, or the maximum queue wait passed
   * @throws CancelledException the deadline passed, or the thread was interrupted, while queued
   * @throws EngineUnavailableException the controller is closed
   */
  public Ticket acquire(String requestId, Optional<Instant> deadline) {
    CompletableFuture<Ticket> future = admit(requestId, deadline);
    try {
      return future.get();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      if (!future.cancel(false)) {
        future.thenAccept(Ticket::close); // admitted in the meantime: give the slot back
      }
      throw new CancelledException("interrupted while waiting for admission", false);
    } catch (ExecutionException e) {
      if (e.getCause() instanceof TtsException tts) {
        throw tts;
      }
      throw new IllegalStateException(e.getCause());
    }
  }

  /** Requests waiting for a slot now. */
  public int queueDepth() {
    lock.lock();
    try {
      return queue.size();
    } finally {
      lock.unlock();
    }
  }

  /** Tickets held now. */
  public int inFlight() {
    lock.lock();
    try {
      return inFlight;
    } finally {
      lock.unlock();
    }
  }

  /** The configured in-flight limit. */
  public int maxInFlight() {
    return maxInFlight;
  }

  /** The configured queue capacity. */
  public int queueCapacity() {
    return queueCapacity;
  }

  /** Tickets granted since start. */
  public long admittedTotal() {
    lock.lock();
    try {
      return admittedTotal;
    } finally {
      lock.unlock();
    }
  }

  /** Requests refused (queue full, wait too long, or expired in the queue) since start. */
  public long rejectedTotal() {
    lock.lock();
    try {
      return rejectedTotal;
    } finally {
      lock.unlock();
    }
  }

  /** Moving average of how long a ticket is held; empty before the first release. */
  public Optional<Duration> meanHoldTime() {
    lock.lock();
    try {
      return meanHoldNanos == 0
          ? Optional.empty()
          : Optional.of(Duration.ofNanos((long) meanHoldNanos));
    } finally {
      lock.unlock();
    }
  }

  /** Refuses new requests and fails every queued one; held tickets stay valid until closed. */
  @Override
  public void close() {
    List<Waiter> dropped;
    lock.lock();
    try {
      closed = true;
      dropped = new ArrayList<>(queue);
      queue.clear();
    } finally {
      lock.unlock();
    }
    for (Waiter w : dropped) {
      w.future.completeExceptionally(new EngineUnavailableException("the engine is shutting down"));
    }
  }

  void release(Ticket ticket) {
    long now = nanoTime.getAsLong();
    List<Waiter> granted = new ArrayList<>();
    lock.lock();
    try {
      inFlight--;
      long held = now - ticket.admittedNanos();
      if (ticket.admittedNanos() >= 0 && held > 0) {
        meanHoldNanos =
            meanHoldNanos == 0 ? held : meanHoldNanos + HOLD_EWMA_ALPHA * (held - meanHoldNanos);
      }
      while (inFlight < maxInFlight && !queue.isEmpty()) {
        Waiter w = queue.pollFirst();
        if (w.future.isDone()) {
          continue;
        }
        inFlight++;
        admittedTotal++;
        w.ticket.markAdmitted(now);
        granted.add(w);
      }
    } finally {
      lock.unlock();
    }
    // Complete outside the lock: dependants run on this thread.
    for (Waiter w : granted) {
      if (!w.future.complete(w.ticket)) {
        w.ticket.close(); // the caller gave up between poll and complete
      }
    }
  }

  private void expire(Waiter waiter, boolean deadline) {
    Duration retryAfter;
    lock.lock();
    try {
      if (!queue.remove(waiter)) {
        return; // admitted or gone already
      }
      if (!deadline) {
        rejectedTotal++;
      }
      retryAfter = retryAfterLocked(queue.size() + 1);
    } finally {
      lock.unlock();
    }
    String id = waiter.ticket.requestId();
    waiter.future.completeExceptionally(
        deadline
            ? new CancelledException("request " + id + " reached its deadline while queued", true)
            : new OverloadedException(
                "request "
                    + id
                    + " waited the maximum of "
                    + maxQueueWait.toMillis()
                    + " ms for admission",
                retryAfter));
  }

  private void remove(Waiter waiter) {
    lock.lock();
    try {
      queue.remove(waiter);
    } finally {
      lock.unlock();
    }
  }

  /** Expected wait of the request at 1-based queue {@code position}, once hold times are known. */
  private Optional<Duration> estimatedWaitLocked(int position) {
    if (meanHoldNanos == 0) {
      return Optional.empty();
    }
    long rounds = (position + maxInFlight - 1) / maxInFlight;
    return Optional.of(Duration.ofNanos((long) (rounds * meanHoldNanos)));
  }

  private Duration retryAfterLocked(int position) {
    return estimatedWaitLocked(position).orElse(maxQueueWait);
  }

  private record Waiter(Ticket ticket, CompletableFuture<Ticket> future) {}
}
