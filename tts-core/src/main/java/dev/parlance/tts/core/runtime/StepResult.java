package dev.parlance.tts.core.runtime;

/**
 * What one row produced in one step.
 *
 * @param output something to deliver to the row's sink now (e.g. an audio chunk every few steps),
 *     or null
 * @param finished the row is done; it leaves the batch after this step
 * @param <O> the output type
 */
public record StepResult<O>(O output, boolean finished) {

  private static final StepResult<?> NOTHING = new StepResult<>(null, false);
  private static final StepResult<?> DONE = new StepResult<>(null, true);

  /** No output yet, keep going. */
  @SuppressWarnings("unchecked")
  public static <O> StepResult<O> pending() {
    return (StepResult<O>) NOTHING;
  }

  /** Deliver {@code output} and keep going. */
  public static <O> StepResult<O> emit(O output) {
    return new StepResult<>(output, false);
  }

  /** Deliver {@code output}; the row is done. */
  public static <O> StepResult<O> last(O output) {
    return new StepResult<>(output, true);
  }

  /** The row is done with nothing more to deliver. */
  @SuppressWarnings("unchecked")
  public static <O> StepResult<O> done() {
    return (StepResult<O>) DONE;
  }
}
