package dev.parlance.tts.http.lifecycle;

import dev.parlance.tts.http.error.ApiException;
import dev.parlance.tts.http.error.ErrorResponses;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Server-side admission and draining. Bounds synthesis work in flight (429 past the bound, never an
 * unbounded queue) and, once {@link #drain()} is called for shutdown, refuses new work with 503
 * while what is running finishes.
 */
public final class Admission {
  private final int maxInFlight;
  private final ReentrantLock lock = new ReentrantLock();
  private final Condition idle = lock.newCondition();
  private final Set<Permit> active = ConcurrentHashMap.newKeySet();
  private volatile boolean draining;

  public Admission(int maxInFlight) {
    this.maxInFlight = maxInFlight;
  }

  /**
   * Admits one unit of work.
   *
   * @throws ApiException 503 while draining, 429 at capacity
   */
  public Permit acquire() {
    lock.lock();
    try {
      if (draining) {
        throw ApiException.unavailable(
            "server is shutting down; retry on another instance", ErrorResponses.UNAVAILABLE_RETRY);
      }
      if (active.size() >= maxInFlight) {
        throw ApiException.overloaded(
            "server is at its limit of " + maxInFlight + " requests in flight",
            Duration.ofSeconds(1));
      }
      Permit permit = new Permit();
      active.add(permit);
      return permit;
    } finally {
      lock.unlock();
    }
  }

  /** Requests in flight now. */
  public int inFlight() {
    return active.size();
  }

  /** Whether shutdown has begun. */
  public boolean draining() {
    return draining;
  }

  /** Stops admitting work. */
  public void drain() {
    draining = true;
  }

  /**
   * Waits for in-flight work to finish, up to {@code deadline}, then aborts what is left.
   *
   * @return whether everything finished in time
   */
  public boolean awaitIdle(Duration deadline) throws InterruptedException {
    long left = deadline.toNanos();
    lock.lock();
    try {
      while (!active.isEmpty() && left > 0) {
        left = idle.awaitNanos(left);
      }
    } finally {
      lock.unlock();
    }
    boolean clean = active.isEmpty();
    for (Permit p : active) {
      p.abort();
    }
    return clean;
  }

  /** One admitted unit of work; close it when the work ends. */
  public final class Permit implements AutoCloseable {
    private volatile Runnable onAbort = () -> {};

    private Permit() {}

    /** What to do if the shutdown deadline passes while the work still runs (close its stream). */
    public void onAbort(Runnable action) {
      onAbort = action;
    }

    private void abort() {
      onAbort.run();
    }

    @Override
    public void close() {
      lock.lock();
      try {
        if (active.remove(this) && active.isEmpty()) {
          idle.signalAll();
        }
      } finally {
        lock.unlock();
      }
    }
  }
}
