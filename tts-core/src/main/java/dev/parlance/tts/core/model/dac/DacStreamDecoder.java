package dev.parlance.tts.core.model.dac;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Seam-free streaming decode of one utterance (spec §8): frames arrive as generation completes
 * them; audio is emitted as soon as it can no longer change, and the concatenation of everything
 * emitted equals the offline {@link DacDecoder#decode(long[][])} of all frames (to float rounding).
 *
 * <p>Every decoder layer runs incrementally ({@link StreamingStage}): it keeps just the inputs its
 * next outputs need and emits only exact outputs, so each step recomputes only each layer's own
 * reach instead of the decoder's whole receptive field (about 10 frames per side at 44.1 kHz).
 * Audio for a frame therefore comes out once about {@link ReceptiveField#rightFrames()} later
 * frames are known.
 *
 * <p>Frames holding an id {@code >= codebookSize} (EOS/PAD/BOS) are dropped on arrival, exactly as
 * the reference drops them before its offline decode; since nothing that depends on them has been
 * emitted yet, the stream still equals the offline decode of the cleaned frames.
 *
 * <p>Holds native arrays between calls: close it. Not thread-safe: one instance per utterance.
 */
public final class DacStreamDecoder implements AutoCloseable {
  private static final float[] NONE = new float[0];

  private final DacDecoder dac;
  private final int codebooks;
  private final int codebookSize;
  private final int firstChunkFrames;
  private final int chunkFrames;
  private final NDManager manager; // the stages' kept inputs
  private final List<StreamingStage> stages;
  private final List<long[]> pending = new ArrayList<>(); // valid frames not decoded yet
  private long frames; // valid frames received
  private long emitted; // samples emitted so far
  private int dropped;
  private boolean finished;

  /**
   * @param dac the decoder; it must outlive this stream
   * @param chunkFrames decode once at least this many new frames are pending (larger chunks cost
   *     fewer, bigger steps; 1 gives the lowest latency)
   */
  public DacStreamDecoder(DacDecoder dac, int chunkFrames) {
    this(dac, chunkFrames, chunkFrames);
  }

  /**
   * @param firstChunkFrames frames that make the first window due: a first window shorter than
   *     {@code chunkFrames} brings the first audio forward ({@link #earliestFirstChunk} is the
   *     shortest that emits any)
   * @param chunkFrames frames that make every later window due
   */
  public DacStreamDecoder(DacDecoder dac, int firstChunkFrames, int chunkFrames) {
    if (chunkFrames < 1 || firstChunkFrames < 1) {
      throw new IllegalArgumentException(
          "chunk frames must be >= 1, got " + firstChunkFrames + " and " + chunkFrames);
    }
    this.dac = dac;
    this.codebooks = dac.config().numCodebooks();
    this.codebookSize = dac.config().codebookSize();
    this.firstChunkFrames = firstChunkFrames;
    this.chunkFrames = chunkFrames;
    this.manager = dac.newScope();
    this.stages = dac.streamingStages();
  }

  /**
   * Appends complete frames and returns the audio that became final, possibly none.
   *
   * @param newFrames {@code newFrames[i][k]}: frame i's id for codebook k
   * @throws IllegalArgumentException a frame without K ids, or a negative id
   * @throws IllegalStateException after {@link #finish()}
   */
  public float[] push(long[][] newFrames) {
    offer(newFrames);
    return due() ? decodeDue(List.of(this))[0] : NONE;
  }

  /**
   * Appends complete frames like {@link #push} without decoding them, so that {@link #decodeDue}
   * can decode several streams' windows at once.
   *
   * @return whether a window is due now
   */
  public boolean offer(long[][] newFrames) {
    if (finished) {
      throw new IllegalStateException("stream already finished");
    }
    for (long[] frame : newFrames) {
      if (frame.length != codebooks) {
        throw new IllegalArgumentException(
            "a frame has " + frame.length + " codes, expected " + codebooks);
      }
      boolean special = false;
      for (long id : frame) {
        if (id < 0) {
          throw new IllegalArgumentException("negative code id " + id);
        }
        special |= id >= codebookSize;
      }
      if (special) {
        dropped++;
      } else {
        pending.add(frame.clone());
        frames++;
      }
    }
    return due();
  }

  /**
   * The fewest frames whose decode emits audio: enough that their samples reach past the decoder's
   * right reach ({@link ReceptiveField#rightSamples}).
   */
  public static int earliestFirstChunk(DacDecoder dac) {
    ReceptiveField field = dac.receptiveField();
    return field.rightSamples() / field.hopLength() + 1;
  }

  /**
   * Whether enough frames are pending for the next window ({@code firstChunkFrames} before the
   * first decode, {@code chunkFrames} after it).
   */
  public boolean due() {
    boolean first = frames == pending.size();
    return !finished && pending.size() >= (first ? firstChunkFrames : chunkFrames);
  }

  /** Decodes and returns the rest of the audio; the stream accepts no more frames. */
  public float[] finish() {
    if (finished) {
      return NONE;
    }
    finished = true;
    return frames == 0 ? NONE : decode(List.of(this), true)[0];
  }

  /** Frames dropped because they held a special id. */
  public int droppedFrames() {
    return dropped;
  }

  /** Samples emitted so far. */
  public long emittedSamples() {
    return emitted;
  }

  /**
   * Decodes the due windows of several streams of one decoder and returns each stream's new audio
   * (none for a stream not due). Windows of equal length whose streams have equal histories run
   * through each layer as one batch; the audio is what each stream's own {@link #push} gives.
   *
   * @throws IllegalArgumentException the streams belong to different decoders
   */
  public static float[][] decodeDue(List<DacStreamDecoder> streams) {
    List<DacStreamDecoder> due = new ArrayList<>(streams.size());
    for (DacStreamDecoder s : streams) {
      if (s.dac != streams.get(0).dac) {
        throw new IllegalArgumentException("streams of different DAC decoders");
      }
      if (s.due()) {
        due.add(s);
      }
    }
    float[][] audio = new float[streams.size()][];
    float[][] decoded = due.isEmpty() ? audio : decode(due, false);
    for (int i = 0, j = 0; i < audio.length; i++) {
      audio[i] = j < due.size() && streams.get(i) == due.get(j) ? decoded[j++] : NONE;
    }
    return audio;
  }

  /** Decodes every stream's pending frames; windows of equal length share one batch. */
  private static float[][] decode(List<DacStreamDecoder> streams, boolean end) {
    float[][] audio = new float[streams.size()][];
    Arrays.fill(audio, NONE);
    Map<Integer, List<Integer>> byLength = new LinkedHashMap<>();
    for (int i = 0; i < streams.size(); i++) {
      byLength.computeIfAbsent(streams.get(i).pending.size(), n -> new ArrayList<>()).add(i);
    }
    DacDecoder dac = streams.get(0).dac;
    try (NDManager step = dac.newScope()) {
      for (List<Integer> group : byLength.values()) {
        NDArray x = null;
        if (!streams.get(group.get(0)).pending.isEmpty()) {
          x = dac.quantizer().forward(pendingCodes(streams, group, step));
        }
        for (int i : group) {
          streams.get(i).pending.clear();
        }
        runStages(streams, group, x, 0, end, step, audio);
      }
    }
    return audio;
  }

  /**
   * Runs stages {@code from}.. over {@code x} (one row per member of {@code group}), splitting the
   * batch where members' stages would cut their windows differently; fills the members' audio.
   */
  private static void runStages(
      List<DacStreamDecoder> streams,
      List<Integer> group,
      NDArray x,
      int from,
      boolean end,
      NDManager step,
      float[][] audio) {
    int layers = streams.get(group.get(0)).stages.size();
    for (int s = from; s < layers; s++) {
      long n = x == null ? 0 : x.getShape().get(2);
      Map<StreamingStage.Plan, List<Integer>> plans = new LinkedHashMap<>();
      for (int g = 0; g < group.size(); g++) {
        plans
            .computeIfAbsent(
                streams.get(group.get(g)).stages.get(s).plan(n, end), p -> new ArrayList<>())
            .add(g);
      }
      if (plans.size() > 1) {
        for (List<Integer> part : plans.values()) {
          List<Integer> members = new ArrayList<>(part.size());
          NDList rows = new NDList(part.size());
          for (int g : part) {
            members.add(group.get(g));
            if (x != null) {
              rows.add(x.get("{}:{}", g, g + 1));
            }
          }
          NDArray sub = x == null ? null : NDArrays.concat(rows);
          runStages(streams, members, sub, s, end, step, audio);
        }
        return;
      }
      List<StreamingStage> stages = new ArrayList<>(group.size());
      List<NDManager> keep = new ArrayList<>(group.size());
      for (int i : group) {
        stages.add(streams.get(i).stages.get(s));
        keep.add(streams.get(i).manager);
      }
      x = StreamingStage.pushAll(stages, x, end, step, keep);
    }
    if (x == null) {
      return;
    }
    float[] all = x.tanh().toFloatArray();
    int each = all.length / group.size();
    for (int g = 0; g < group.size(); g++) {
      DacStreamDecoder stream = streams.get(group.get(g));
      audio[group.get(g)] = Arrays.copyOfRange(all, g * each, (g + 1) * each);
      stream.emitted += each;
    }
  }

  /** The members' pending frames (all equally many, n) as (B, K, n) ids. */
  private static NDArray pendingCodes(
      List<DacStreamDecoder> streams, List<Integer> group, NDManager step) {
    int codebooks = streams.get(0).codebooks;
    int n = streams.get(group.get(0)).pending.size();
    long[] flat = new long[group.size() * codebooks * n];
    for (int b = 0; b < group.size(); b++) {
      List<long[]> pending = streams.get(group.get(b)).pending;
      for (int t = 0; t < n; t++) {
        long[] frame = pending.get(t);
        for (int k = 0; k < codebooks; k++) {
          flat[(b * codebooks + k) * n + t] = frame[k];
        }
      }
    }
    return step.create(flat, new Shape(group.size(), codebooks, n));
  }

  @Override
  public void close() {
    manager.close();
  }
}
