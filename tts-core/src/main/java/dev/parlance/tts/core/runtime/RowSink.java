package dev.parlance.tts.core.runtime;

import dev.parlance.tts.spi.TtsException;

/**
 * Where a scheduled request's outputs go. Called on the scheduler thread, so implementations must
 * not block; after {@link #complete()} or {@link #fail} nothing more is delivered. If {@link
 * #accept} throws, the request is cancelled.
 *
 * @param <O> the output type
 */
public interface RowSink<O> {

  /** One output, in order. */
  void accept(O output);

  /** The request finished normally. */
  void complete();

  /** The request stopped with {@code error} (cancelled, deadline, engine failure, shutdown). */
  void fail(TtsException error);
}
