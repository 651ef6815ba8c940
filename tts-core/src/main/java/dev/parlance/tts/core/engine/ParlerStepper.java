package dev.parlance.tts.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.parlance.tts.core.cache.DescriptionCache;
import dev.parlance.tts.core.generation.Generation;
import dev.parlance.tts.core.generation.GenerationConfig;
import dev.parlance.tts.core.model.ParlerModel;
import dev.parlance.tts.core.model.dac.DacStreamDecoder;
import dev.parlance.tts.core.model.decoder.KvCache;
import dev.parlance.tts.core.model.decoder.KvPool;
import dev.parlance.tts.core.runtime.BatchStepper;
import dev.parlance.tts.core.runtime.StepResult;
import dev.parlance.tts.core.text.SpeechStitcher;
import dev.parlance.tts.core.tokenizer.TokenBatch;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Continuous batching over the Parler decoder. A row is one request: its description (a lease on
 * the description cache), its own batch-1 KV cache, its own {@link Generation} (delay pattern, EOS
 * rules and a random generator seeded by the request) and its own streaming DAC window. Per step:
 * rows starting a chunk prefill their prompt alone; every other row feeds one token column through
 * one batched decoder pass ({@code ParlerDecoder.stepRows}), whose attention runs once over a
 * {@link KvPool} holding every row's keys/values in its own slot, each row masked to its own
 * positions. A row's tokens therefore depend on its own job only, not on its neighbours.
 *
 * <p>Called on the scheduler's thread only, so all native work of the runtime runs on one thread.
 */
final class ParlerStepper implements BatchStepper<SynthesisJob, ParlerStepper.Row, float[]> {
  // Stitching of long texts: speech threshold, kept margin and the pause between chunks.
  private static final double SILENCE_DB = -45;
  private static final int KEEP_MS = 60;
  private static final int GAP_MS = 250;
  private static final float[] NONE = new float[0];

  private final ParlerModel model;
  private final DescriptionCache<EncodedDescription> descriptions;
  private final int chunkFrames;
  private final int codebooks;
  private final KvPool pool; // empty (no tensors) whenever no row is decoding
  private final AtomicLong rowSteps = new AtomicLong();

  /**
   * @param chunkFrames frames per streamed audio block (more frames: fewer, larger DAC calls)
   */
  ParlerStepper(
      ParlerModel model, DescriptionCache<EncodedDescription> descriptions, int chunkFrames) {
    this.model = model;
    this.descriptions = descriptions;
    this.chunkFrames = chunkFrames;
    this.codebooks = model.decoder().config().numCodebooks();
    this.pool = model.decoder().newPool(model.newRequestManager());
  }

  /** Decoder steps taken by rows so far (a batched step over r rows counts r). */
  long rowSteps() {
    return rowSteps.get();
  }

  @Override
  public List<Row> join(List<SynthesisJob> jobs) {
    List<Row> rows = new ArrayList<>(jobs.size());
    try {
      for (SynthesisJob job : jobs) {
        rows.add(new Row(job, descriptions.acquire(job.description(), this::encode)));
      }
      return rows;
    } catch (RuntimeException | Error e) {
      rows.forEach(this::leave);
      throw e;
    }
  }

  private EncodedDescription encode(String description) {
    NDManager owner = model.newRequestManager();
    try {
      TokenBatch tokens = model.tokenizers().encodeDescriptions(List.of(description));
      NDArray states = model.encodeDescriptions(tokens, owner);
      return new EncodedDescription(states, tokens.mask(), owner);
    } catch (RuntimeException | Error e) {
      owner.close();
      throw e;
    }
  }

  @Override
  public List<StepResult<float[]>> step(List<Row> rows) {
    List<StepResult<float[]>> results = new ArrayList<>(rows.size());
    List<Row> decoding = new ArrayList<>(rows.size());
    List<Integer> slots = new ArrayList<>(rows.size());
    for (Row row : rows) {
      if (row.generation == null) {
        results.add(prefill(row));
      } else {
        results.add(null);
        decoding.add(row);
        slots.add(results.size() - 1);
      }
    }
    if (!decoding.isEmpty()) {
      KvCache[] caches = new KvCache[decoding.size()];
      long[] ids = new long[decoding.size() * codebooks];
      for (int i = 0; i < decoding.size(); i++) {
        Row row = decoding.get(i);
        caches[i] = row.cache;
        System.arraycopy(row.generation.nextInput(), 0, ids, i * codebooks, codebooks);
      }
      float[] logits;
      try (NDManager step = model.newRequestManager()) {
        logits = model.decoder().stepRows(pool, caches, ids, step);
      }
      int width = logits.length / decoding.size();
      for (int i = 0; i < decoding.size(); i++) {
        float[] own = Arrays.copyOfRange(logits, i * width, (i + 1) * width);
        results.set(slots.get(i), accept(decoding.get(i), own));
      }
    }
    return results;
  }

  /** Starts the row's next chunk: its cache, then the prompt prefix and BOS column in one pass. */
  private StepResult<float[]> prefill(Row row) {
    SynthesisJob.Chunk chunk = row.job.chunks().get(row.chunk);
    GenerationConfig ids = model.config().generation();
    row.scope = model.newRequestManager();
    EncodedDescription d = row.description.value();
    int capacity = chunk.prompt().mask()[0].length + chunk.settings().maxLength();
    row.cache =
        model.decoder().newCache(d.states(), d.mask(), chunk.prompt().mask(), capacity, row.scope);
    row.generation =
        new Generation(
            1,
            codebooks,
            model.decoder().config().vocabSize(),
            ids.decoderStartTokenId(),
            ids.eosTokenId(),
            ids.padTokenId(),
            chunk.settings());
    row.audio = new DacStreamDecoder(model.dac(), chunkFrames);
    row.pushed = 0;
    float[] logits;
    try (NDManager step = row.scope.newSubManager()) {
      NDArray prompt = model.embedPrompts(chunk.prompt(), step);
      logits = model.decoder().step(row.cache, prompt, row.generation.nextInput(), 1, step);
    }
    return accept(row, logits);
  }

  /**
   * Takes the row's logits, streams what became final, and moves on to the next chunk at its end.
   */
  private StepResult<float[]> accept(Row row, float[] logits) {
    rowSteps.incrementAndGet();
    Generation g = row.generation;
    g.accept(logits);
    float[] out = pushFrames(row);
    if (!g.done()) {
      return emit(row.stitch(out), false);
    }
    out = concat(out, row.audio.finish());
    if (out.length == 0 && row.audio.emittedSamples() == 0 && row.stitcher == null) {
      out = new float[1]; // the reference's single zero sample for an utterance without frames
    }
    out = row.stitch(out);
    if (row.stitcher != null) {
      out = concat(out, row.stitcher.endChunk());
    }
    row.endChunk();
    return emit(out, row.chunk >= row.job.chunks().size());
  }

  /** Feeds the row's newly complete frames to its DAC stream; returns the audio that is final. */
  private static float[] pushFrames(Row row) {
    Generation g = row.generation;
    long[][] frames = new long[g.completeFrames() - row.pushed][];
    for (int i = 0; i < frames.length; i++) {
      frames[i] = g.frame(0, row.pushed + i);
    }
    row.pushed += frames.length;
    return frames.length == 0 ? NONE : row.audio.push(frames);
  }

  private static StepResult<float[]> emit(float[] out, boolean last) {
    if (last) {
      return out.length == 0 ? StepResult.done() : StepResult.last(out);
    }
    return out.length == 0 ? StepResult.pending() : StepResult.emit(out);
  }

  private static float[] concat(float[] a, float[] b) {
    if (a.length == 0) {
      return b;
    }
    if (b.length == 0) {
      return a;
    }
    float[] all = Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }

  @Override
  public void leave(Row row) {
    row.endChunk();
    row.description.close();
  }

  /** One request's decoding state. */
  final class Row {
    final SynthesisJob job;
    final DescriptionCache.Lease<EncodedDescription> description;
    final SpeechStitcher stitcher; // null unless a long text is stitched
    int chunk; // the chunk being (or next to be) spoken
    NDManager scope; // this chunk's cache (its pool slot); null between chunks
    KvCache cache;
    Generation generation; // null until the chunk is prefilled
    DacStreamDecoder audio;
    int pushed; // frames of this chunk handed to the DAC stream

    Row(SynthesisJob job, DescriptionCache.Lease<EncodedDescription> description) {
      this.job = job;
      this.description = description;
      this.stitcher =
          job.stitch()
              ? new SpeechStitcher(model.dac().config().sampleRate(), SILENCE_DB, KEEP_MS, GAP_MS)
              : null;
    }

    float[] stitch(float[] block) {
      return stitcher == null || block.length == 0 ? block : stitcher.push(block);
    }

    /** Frees this chunk's cache and DAC stream; the next step prefills the next chunk. */
    void endChunk() {
      if (audio != null) {
        audio.close(); // its per-layer state lives in native memory
      }
      if (scope != null) {
        if (cache != null) {
          cache.close(); // frees its pool slot
        }
        scope.close();
        scope = null;
        cache = null;
        chunk++;
      }
      generation = null;
      audio = null;
    }
  }
}
