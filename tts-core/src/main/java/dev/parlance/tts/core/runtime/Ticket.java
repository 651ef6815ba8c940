package dev.parlance.tts.core.runtime;

import dev.parlance.tts.spi.CancelledException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * One admitted request's claim on an in-flight slot, and its cancellation handle.
 *
 * <p>{@link #cancel()} may be called from any thread (client gone, barge-in); the decode loop polls
 * {@link #stopped()} once per step. {@link #close()} gives the slot back exactly once, however
 * often and from whichever thread it is called.
 */
public final class Ticket implements AutoCloseable {
  private final AdmissionController owner;
  private final String requestId;
  private final Optional<Instant> deadline;
  private final Clock clock;
  private final long createdNanos;
  private volatile long admittedNanos = -1;
  private volatile boolean cancelled;
  private final AtomicBoolean released = new AtomicBoolean();
  private final CopyOnWriteArrayList<Runnable> cancelListeners = new CopyOnWriteArrayList<>();

  Ticket(
      AdmissionController owner,
      String requestId,
      Optional<Instant> deadline,
      Clock clock,
      long createdNanos) {
    this.owner = owner;
    this.requestId = Objects.requireNonNull(requestId, "requestId");
    this.deadline = Objects.requireNonNull(deadline, "deadline");
    this.clock = clock;
    this.createdNanos = createdNanos;
  }

  /** The request this ticket admits. */
  public String requestId() {
    return requestId;
  }

  /** When the caller stops caring, if it said. */
  public Optional<Instant> deadline() {
    return deadline;
  }

  /**
   * Asks synthesis to stop. Thread-safe and idempotent; the slot itself is freed when the decode
   * loop notices (within one step) and closes the ticket.
   *
   * @return true if this call cancelled the ticket, false if it already was
   */
  public boolean cancel() {
    if (cancelled) {
      return false;
    }
    synchronized (this) {
      if (cancelled) {
        return false;
      }
      cancelled = true;
    }
    for (Runnable listener : cancelListeners) {
      if (cancelListeners.remove(listener)) { // once, even racing onCancel
        listener.run();
      }
    }
    return true;
  }

  /** Runs {@code listener} on {@link #cancel()}; at once if the ticket is already cancelled. */
  public void onCancel(Runnable listener) {
    cancelListeners.add(listener);
    if (cancelled && cancelListeners.remove(listener)) {
      listener.run();
    }
  }

  /** Whether {@link #cancel()} was called. */
  public boolean isCancelled() {
    return cancelled;
  }

  /** Whether the deadline has passed. */
  public boolean deadlinePassed() {
    return deadline.isPresent() && !clock.instant().isBefore(deadline.get());
  }

  /** Whether work for this ticket should stop now: cancelled, past its deadline, or released. */
  public boolean stopped() {
    return cancelled || released.get() || deadlinePassed();
  }

  /**
   * The error to report for a stopped ticket.
   *
   * @return empty while the ticket may keep running
   */
  public Optional<CancelledException> stopReason() {
    if (cancelled || released.get()) {
      return Optional.of(new CancelledException("request " + requestId + " was cancelled", false));
    }
    if (deadlinePassed()) {
      return Optional.of(
          new CancelledException("request " + requestId + " passed its deadline", true));
    }
    return Optional.empty();
  }

  /** Throws the {@link #stopReason()} if there is one; for loops that run once per step. */
  public void throwIfStopped() {
    Optional<CancelledException> reason = stopReason();
    if (reason.isPresent()) {
      throw reason.get();
    }
  }

  /** How long the request waited in the admission queue; zero until admitted. */
  public Duration queueWait() {
    long admitted = admittedNanos;
    return admitted < 0 ? Duration.ZERO : Duration.ofNanos(admitted - createdNanos);
  }

  /** Whether the slot has been given back. */
  public boolean isReleased() {
    return released.get();
  }

  /** Gives the in-flight slot back; only the first call has an effect. */
  @Override
  public void close() {
    if (released.compareAndSet(false, true)) {
      owner.release(this);
    }
  }

  void markAdmitted(long nanos) {
    admittedNanos = nanos;
  }

  long admittedNanos() {
    return admittedNanos;
  }

  @Override
  public String toString() {
    return "Ticket[" + requestId + (cancelled ? ", cancelled" : "") + "]";
  }
}
