package dev.parlance.tts.core.runtime;

import java.util.List;

/**
 * The model side of continuous batching: what {@link BatchScheduler} drives. All three methods are
 * called on the scheduler's one thread, so an implementation needs no locking of its own.
 *
 * <p>Rows join and leave only at step boundaries. A row's outputs must depend on its own job alone,
 * never on which other rows share its steps (per-row positions, masks and random generators).
 *
 * @param <J> a job: what one request asks for (text, voice, sampling)
 * @param <S> one row's state (e.g. its KV-cache slot, generated codes, random generator)
 * @param <O> what a row emits (e.g. an audio chunk)
 */
public interface BatchStepper<J, S, O> {

  /**
   * Starts rows for newly admitted jobs, e.g. encodes their descriptions and prefills their
   * prompts. If this throws, every job in {@code jobs} fails with the error.
   *
   * @return one state per job, in the same order
   */
  List<S> join(List<J> jobs);

  /**
   * Advances every row by one step as one batched pass.
   *
   * @param rows the active rows, at most the scheduler's batch size; order may differ from step to
   *     step
   * @return one result per row, in the same order. If this throws, every row in {@code rows} fails
   *     and leaves.
   */
  List<StepResult<O>> step(List<S> rows);

  /**
   * Frees a row's resources. Called exactly once for every state {@link #join} returned, whether
   * the row finished, was cancelled or failed.
   */
  void leave(S row);
}
