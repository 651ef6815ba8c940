package dev.parlance.tts.core.engine;

import ai.djl.ndarray.NDManager;
import dev.parlance.tts.core.generation.DecodeLoop;
import dev.parlance.tts.core.generation.Generation;
import dev.parlance.tts.core.generation.SamplingSettings;
import dev.parlance.tts.core.model.Conditioning;
import dev.parlance.tts.core.model.ParlerModel;
import dev.parlance.tts.core.model.dac.DacStreamDecoder;
import dev.parlance.tts.core.model.decoder.KvCache;
import dev.parlance.tts.core.model.decoder.ParlerDecoder;
import dev.parlance.tts.core.runtime.BatchStepper;
import dev.parlance.tts.core.runtime.StepResult;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Parler-TTS as the model side of continuous batching ({@link
 * dev.parlance.tts.core.runtime.BatchScheduler}): a job joins with its own NDManager scope, T5
 * conditioning, KV cache and prompt prefill; every step then advances all active rows in one
 * batched decoder pass ({@link ParlerDecoder#stepRows}), each row keeping its own positions, masks
 * and seeded sampler, and emits audio chunks through its own streaming DAC decoder.
 */
public final class ParlerBatchStepper
    implements BatchStepper<ParlerBatchStepper.Job, ParlerBatchStepper.Row, float[]> {

  /**
   * One request.
   *
   * @param description the voice description
   * @param text the transcript
   * @param settings sampling and length
   */
  public record Job(String description, String text, SamplingSettings settings) {}

  /** One request's state while it is in the batch. */
  public static final class Row {
    private final NDManager scope;
    private final KvCache cache;
    private final Generation generation;
    private final DacStreamDecoder audio;
    private int pushed;
    private float[] pending = new float[0]; // audio produced at join, delivered with the next step

    private Row(NDManager scope, KvCache cache, Generation generation, DacStreamDecoder audio) {
      this.scope = scope;
      this.cache = cache;
      this.generation = generation;
      this.audio = audio;
    }

    /** The generation state (tokens so far). */
    public Generation generation() {
      return generation;
    }
  }

  private final ParlerModel model;
  private final int chunkFrames;

  /**
   * @param chunkFrames frames per streamed chunk
   */
  public ParlerBatchStepper(ParlerModel model, int chunkFrames) {
    this.model = model;
    this.chunkFrames = chunkFrames;
  }

  @Override
  public List<Row> join(List<Job> jobs) {
    List<Row> rows = new ArrayList<>(jobs.size());
    try {
      for (Job job : jobs) {
        rows.add(start(job));
      }
      return rows;
    } catch (RuntimeException e) {
      rows.forEach(this::leave);
      throw e;
    }
  }

  private Row start(Job job) {
    NDManager scope = model.newRequestManager();
    try {
      Conditioning c = model.condition(List.of(job.description()), List.of(job.text()), scope);
      SamplingSettings s = model.fitPositions(job.settings(), c.promptLength());
      ParlerDecoder decoder = model.decoder();
      KvCache cache =
          decoder.newCache(
              c.encoderStates(),
              c.descriptionMask(),
              c.promptMask(),
              c.promptLength() + s.maxLength(),
              scope.newSubManager());
      Generation g = DecodeLoop.start(decoder, 1, model.config().generation(), s);
      float[] logits;
      try (NDManager step = scope.newSubManager()) { // prefill: prompt prefix + BOS column
        logits = decoder.step(cache, c.promptEmbeds(), g.nextInput(), 1, step);
      }
      g.accept(logits);
      Row row = new Row(scope, cache, g, new DacStreamDecoder(model.dac(), chunkFrames));
      try {
        row.pending = pushFrames(row);
      } catch (RuntimeException e) {
        row.audio.close();
        throw e;
      }
      return row;
    } catch (RuntimeException e) {
      scope.close();
      throw e;
    }
  }

  @Override
  public List<StepResult<float[]>> step(List<Row> rows) {
    List<Row> active = new ArrayList<>();
    for (Row row : rows) {
      if (!row.generation.done()) {
        active.add(row);
      }
    }
    if (!active.isEmpty()) {
      int k = model.decoder().config().numCodebooks();
      int vocab = model.decoder().config().vocabSize();
      KvCache[] caches = new KvCache[active.size()];
      long[] ids = new long[active.size() * k];
      for (int r = 0; r < caches.length; r++) {
        caches[r] = active.get(r).cache;
        System.arraycopy(active.get(r).generation.nextInput(), 0, ids, r * k, k);
      }
      float[] logits;
      try (NDManager step = active.get(0).scope.newSubManager()) {
        logits = model.decoder().stepRows(caches, ids, step);
      }
      for (int r = 0; r < caches.length; r++) {
        active
            .get(r)
            .generation
            .accept(Arrays.copyOfRange(logits, r * k * vocab, (r + 1) * k * vocab));
      }
    }
    List<StepResult<float[]>> results = new ArrayList<>(rows.size());
    for (Row row : rows) {
      float[] audio = concat(row.pending, pushFrames(row));
      row.pending = new float[0];
      if (row.generation.done()) {
        float[] tail = row.audio.finish();
        boolean empty = tail.length == 0 && row.audio.emittedSamples() == 0 && audio.length == 0;
        results.add(StepResult.last(empty ? new float[1] : concat(audio, tail)));
      } else {
        results.add(audio.length == 0 ? StepResult.pending() : StepResult.emit(audio));
      }
    }
    return results;
  }

  /** Feeds the row's newly complete frames to its DAC stream; returns the audio that is final. */
  private static float[] pushFrames(Row row) {
    int complete = row.generation.completeFrames();
    long[][] frames = new long[complete - row.pushed][];
    for (int i = 0; i < frames.length; i++) {
      frames[i] = row.generation.frame(0, row.pushed + i);
    }
    row.pushed = complete;
    return row.audio.push(frames);
  }

  private static float[] concat(float[] a, float[] b) {
    if (a.length == 0) {
      return b;
    }
    float[] out = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }

  @Override
  public void leave(Row row) {
    try {
      row.audio.close();
    } finally {
      row.scope.close();
    }
  }
}
