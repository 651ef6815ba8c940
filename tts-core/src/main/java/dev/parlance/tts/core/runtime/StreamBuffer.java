package dev.parlance.tts.core.runtime;

import dev.parlance.tts.spi.CancelledException;
import dev.parlance.tts.spi.TtsException;
import java.util.NoSuchElementException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A {@link RowSink} a consumer thread reads from, one output at a time: the hand-off between the
 * scheduler thread and an {@code AudioStream}. The producer never blocks (the buffer holds at most
 * one request's audio, which the request's maximum duration bounds); the consumer blocks in {@link
 * #hasNext()}.
 *
 * @param <O> output type
 */
public final class StreamBuffer<O> implements RowSink<O> {
  private static final Object COMPLETE = new Object();

  private final LinkedBlockingQueue<Object> events = new LinkedBlockingQueue<>();
  private final CopyOnWriteArrayList<Runnable> closeListeners = new CopyOnWriteArrayList<>();
  private volatile boolean closed;
  private Object head; // consumer-owned: the next event, taken but not yet consumed

  @Override
  public void accept(O output) {
    if (closed) {
      throw new IllegalStateException("stream closed by its consumer");
    }
    events.add(output);
  }

  @Override
  public void complete() {
    events.add(COMPLETE);
  }

  @Override
  public void fail(TtsException error) {
    events.add(new Failure(error));
  }

  /**
   * Blocks until the next output or the end.
   *
   * @return false at the normal end or after {@link #close()}
   * @throws TtsException the request failed; thrown again on every later call
   * @throws CancelledException the consumer thread was interrupted (the request is cancelled)
   */
  public boolean hasNext() {
    if (closed) {
      return false;
    }
    if (head == null) {
      try {
        head = events.take();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        close();
        throw new CancelledException("interrupted while waiting for audio", false);
      }
      if (closed) {
        head = null;
        return false;
      }
    }
    if (head instanceof Failure f) {
      throw f.error;
    }
    return head != COMPLETE;
  }

  /** The next output; blocks like {@link #hasNext()}. */
  @SuppressWarnings("unchecked")
  public O next() {
    if (!hasNext()) {
      throw new NoSuchElementException("stream ended");
    }
    O out = (O) head;
    head = null;
    return out;
  }

  /**
   * Runs {@code listener} when the consumer closes the buffer (e.g. {@code ticket::cancel}); at
   * once if it is already closed.
   */
  public void onClose(Runnable listener) {
    closeListeners.add(listener);
    if (closed && closeListeners.remove(listener)) {
      listener.run();
    }
  }

  /** Whether the consumer closed the buffer. */
  public boolean isClosed() {
    return closed;
  }

  /**
   * Stops reading, from any thread: a consumer blocked in {@link #hasNext()} wakes and sees the
   * end, later outputs are refused (which cancels the request) and close listeners run.
   */
  public void close() {
    if (closed) {
      return;
    }
    closed = true;
    events.clear();
    events.add(COMPLETE); // wakes a consumer blocked in hasNext()
    for (Runnable l : closeListeners) {
      if (closeListeners.remove(l)) {
        l.run();
      }
    }
  }

  private record Failure(TtsException error) {}
}
