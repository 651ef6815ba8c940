package dev.parlance.tts.core.engine;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import dev.parlance.tts.core.cache.DescriptionCache;
import dev.parlance.tts.core.generation.Generation;
import dev.parlance.tts.core.generation.GenerationConfig;
import dev.parlance.tts.core.generation.SamplingRows;
import dev.parlance.tts.core.generation.TokenSampler;
import dev.parlance.tts.core.model.ParlerModel;
import dev.parlance.tts.core.model.dac.DacStreamDecoder;
import dev.parlance.tts.core.model.decoder.KvCache;
import dev.parlance.tts.core.model.decoder.KvPool;
import dev.parlance.tts.core.model.decoder.RowMemory;
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
 * <p>The other model work is batched across rows too: the descriptions of rows joining together
 * that are not cached yet go through T5 as one padded batch, and the DAC windows of rows that fall
 * due in the same step and line up (equal length, equal stream history) decode as one batch. Both
 * give each row what it gets alone, to float rounding.
 *
 * <p>Called on the scheduler's thread only, so all native work of the runtime runs on one thread.
 */
final class ParlerStepper implements BatchStepper<SynthesisJob, ParlerStepper.Row, float[]> {
  // Stitching of long texts: speech threshold, kept margin and the pause between chunks.
  private static final double SILENCE_DB = -45;
  private static final int KEEP_MS = 60;
  private static final int GAP_MS = 250;

  private final ParlerModel model;
  private final DescriptionCache<EncodedDescription> descriptions;
  private final int chunkFrames;
  private final boolean batchAcrossRows;
  private final int codebooks;
  private final KvPool pool; // empty (no tensors) whenever no row is decoding
  private final TokenSampler sampler;
  private final int eos;
  private final AtomicLong rowSteps = new AtomicLong();
  private final AtomicLong encoderCalls = new AtomicLong();

  /**
   * @param chunkFrames frames per streamed audio block (more frames: fewer, larger DAC calls)
   * @param batchAcrossRows encode the new descriptions of a join in one T5 batch and decode rows'
   *     DAC windows that fall due together in one batch: fewer, larger calls, but a row's audio
   *     then equals its audio alone only to float rounding (batched GEMMs and convolutions round
   *     differently), so it is off unless asked for
   */
  ParlerStepper(
      ParlerModel model,
      DescriptionCache<EncodedDescription> descriptions,
      int chunkFrames,
      boolean batchAcrossRows) {
    this.model = model;
    this.descriptions = descriptions;
    this.chunkFrames = chunkFrames;
    this.batchAcrossRows = batchAcrossRows;
    this.codebooks = model.decoder().config().numCodebooks();
    this.pool = model.decoder().newPool(model.newRequestManager());
    this.sampler = TokenSampler.on(model.device());
    this.eos = model.config().generation().eosTokenId();
  }

  /**
   * Memory the job's row holds at most, chunks running one after another: its pool share (two slots
   * padded to the longest capacity any row may have, its prompt plus the generation's max_length,
   * with cross-attention over its description) and its step share. Tokenizes the description; safe
   * on any thread.
   */
  long rowBytes(SynthesisJob job) {
    RowMemory memory = model.decoder().rowMemory();
    int descriptionTokens =
        model.tokenizers().encodeDescriptions(List.of(job.description())).length();
    int fullLength = model.maxDecoderLength();
    long max = 0;
    for (SynthesisJob.Chunk chunk : job.chunks()) {
      int slot = chunk.prompt().length() + Math.max(chunk.settings().maxLength(), fullLength);
      max = Math.max(max, memory.pooledRowBytes(slot, descriptionTokens));
    }
    return max;
  }

  /** Decoder steps taken by rows so far (a batched step over r rows counts r). */
  long rowSteps() {
    return rowSteps.get();
  }

  /** T5 encoder calls so far; one call encodes all of a join's new descriptions. */
  long encoderCalls() {
    return encoderCalls.get();
  }

  @Override
  public List<Row> join(List<SynthesisJob> jobs) {
    List<String> texts = jobs.stream().map(SynthesisJob::description).toList();
    List<DescriptionCache.Lease<EncodedDescription>> leases =
        batchAcrossRows ? descriptions.acquireAll(texts, this::encode) : acquireEach(texts);
    List<Row> rows = new ArrayList<>(jobs.size());
    try {
      for (int i = 0; i < jobs.size(); i++) {
        rows.add(new Row(jobs.get(i), leases.get(i)));
      }
      return rows;
    } catch (RuntimeException | Error e) {
      leases.forEach(DescriptionCache.Lease::close);
      throw e;
    }
  }

  /** Each description through T5 on its own (cache misses only). */
  private List<DescriptionCache.Lease<EncodedDescription>> acquireEach(List<String> texts) {
    List<DescriptionCache.Lease<EncodedDescription>> leases = new ArrayList<>(texts.size());
    try {
      for (String text : texts) {
        leases.add(descriptions.acquire(text, t -> encode(List.of(t)).get(0)));
      }
      return leases;
    } catch (RuntimeException | Error e) {
      leases.forEach(DescriptionCache.Lease::close);
      throw e;
    }
  }

  private static float[][] decodeEach(List<DacStreamDecoder> streams) {
    float[][] audio = new float[streams.size()][];
    for (int i = 0; i < audio.length; i++) {
      audio[i] = DacStreamDecoder.decodeDue(List.of(streams.get(i)))[0];
    }
    return audio;
  }

  /**
   * Encodes descriptions in one padded T5 batch; each result is trimmed to its own tokens, so it is
   * what encoding that description alone gives (to float rounding).
   */
  private List<EncodedDescription> encode(List<String> texts) {
    encoderCalls.incrementAndGet();
    TokenBatch tokens = model.tokenizers().encodeDescriptions(texts);
    List<EncodedDescription> out = new ArrayList<>(texts.size());
    try (NDManager batch = model.newRequestManager()) {
      NDArray states = model.encodeDescriptions(tokens, batch); // (B, S, H)
      for (int i = 0; i < texts.size(); i++) {
        long[] mask = tokens.mask()[i];
        int length = (int) Arrays.stream(mask).sum(); // right-padded: tokens first
        NDManager owner = model.newRequestManager();
        NDArray own = states.get("{}:{}, :{}, :", i, i + 1, length).duplicate(); // a compact copy
        own.attach(owner);
        out.add(new EncodedDescription(own, new long[][] {Arrays.copyOf(mask, length)}, owner));
      }
      return out;
    } catch (RuntimeException | Error e) {
      out.forEach(EncodedDescription::close);
      throw e;
    }
  }

  @Override
  public List<StepResult<float[]>> step(List<Row> rows) {
    List<Row> decoding = new ArrayList<>(rows.size());
    for (Row row : rows) {
      if (row.generation == null) {
        prefill(row);
      } else {
        decoding.add(row);
      }
    }
    if (!decoding.isEmpty()) {
      stepDecoding(decoding);
    }
    List<DacStreamDecoder> streams = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      Row row = rows.get(i);
      rowSteps.incrementAndGet();
      offerFrames(row);
      streams.add(row.audio);
    }
    // Rows whose windows fell due together decode in one DAC batch where their windows line up.
    float[][] audio = batchAcrossRows ? DacStreamDecoder.decodeDue(streams) : decodeEach(streams);
    List<StepResult<float[]>> results = new ArrayList<>(rows.size());
    for (int i = 0; i < rows.size(); i++) {
      results.add(output(rows.get(i), audio[i]));
    }
    return results;
  }

  /**
   * One decoder pass for the decoding rows, over the shared pool, and one sampler call that chooses
   * every row's tokens on the device.
   */
  private void stepDecoding(List<Row> decoding) {
    int n = decoding.size();
    KvCache[] caches = new KvCache[n];
    long[] ids = new long[n * codebooks];
    SamplingRows plan = new SamplingRows(n * codebooks, vocab());
    for (int i = 0; i < n; i++) {
      Row row = decoding.get(i);
      caches[i] = row.cache;
      System.arraycopy(row.generation.nextInput(), 0, ids, i * codebooks, codebooks);
      row.generation.plan(plan, i * codebooks);
    }
    long[] tokens;
    try (NDManager step = model.newRequestManager()) {
      tokens = sampler.choose(model.decoder().stepRows(pool, caches, ids, step), plan, eos);
    }
    for (int i = 0; i < n; i++) {
      decoding.get(i).generation.accept(tokens, i * codebooks);
    }
  }

  private int vocab() {
    return model.decoder().config().vocabSize();
  }

  /**
   * Starts the row's next chunk: its cache, then the prompt prefix and BOS column in one pass, and
   * its first tokens.
   */
  private void prefill(Row row) {
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
            vocab(),
            ids.decoderStartTokenId(),
            ids.eosTokenId(),
            ids.padTokenId(),
            chunk.settings());
    // the first window as soon as it can emit audio, so the first audio is not held back
    int first = Math.min(chunkFrames, DacStreamDecoder.earliestFirstChunk(model.dac()));
    row.audio = new DacStreamDecoder(model.dac(), first, chunkFrames);
    row.pushed = 0;
    try (NDManager step = row.scope.newSubManager()) {
      NDArray prompt = model.embedPrompts(chunk.prompt(), step);
      row.generation.step(
          model.decoder().step(row.cache, prompt, row.generation.nextInput(), 1, step), sampler);
    }
  }

  /** Hands the row's newly complete frames to its DAC stream (decoded by the batch). */
  private static void offerFrames(Row row) {
    Generation g = row.generation;
    long[][] frames = new long[g.completeFrames() - row.pushed][];
    for (int i = 0; i < frames.length; i++) {
      frames[i] = g.frame(0, row.pushed + i);
    }
    row.pushed += frames.length;
    if (frames.length > 0) {
      row.audio.offer(frames);
    }
  }

  /**
   * The row's audio that became final this step; at the chunk's end, the rest, and the move to the
   * next chunk.
   */
  private StepResult<float[]> output(Row row, float[] out) {
    if (!row.generation.done()) {
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
