package dev.parlance.tts.core.model.dac;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.DynamicContainer.dynamicContainer;
import static org.junit.jupiter.api.DynamicTest.dynamicTest;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.core.testing.Tensors;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.TestFactory;

/** Streaming decode equals the offline decode on every fixture's golden codes. */
class DacStreamDecoderTest {
  /** Offline vs streamed: the same maths on different window lengths, so rounding-level only. */
  private static final double SEAM_TOLERANCE = 1e-5;

  private static final int[] CHUNKS = {1, 2, 5, 16};
  private static final int[] PIECES = {1, 3, 2, 1, 5}; // frames per push, cycled

  private static NDManager manager;

  @BeforeAll
  static void open() {
    manager = NDManager.newBaseManager("PyTorch");
  }

  @AfterAll
  static void close() {
    manager.close();
  }

  @TestFactory
  Stream<DynamicNode> everyFixture() {
    return Fixtures.checkpoints().stream()
        .map(dir -> dynamicContainer(dir.getFileName().toString(), fixtureTests(dir)));
  }

  private Stream<DynamicNode> fixtureTests(Path dir) {
    List<DynamicNode> tests = new ArrayList<>();
    tests.add(dynamicTest("receptive field is exact and tight", () -> receptiveField(dir)));
    for (DacGoldenCase c : DacGoldenCase.all(dir)) {
      tests.add(
          dynamicTest(
              c.name() + " streamed at chunk sizes " + Arrays.toString(CHUNKS),
              () -> streamed(dir, c)));
    }
    tests.add(dynamicTest("streams decoded together equal each alone", () -> decodedTogether(dir)));
    tests.add(
        dynamicTest("special-id frames are dropped like the reference", () -> specialIds(dir)));
    tests.add(dynamicTest("bad frames are rejected", () -> badFrames(dir)));
    tests.add(
        dynamicTest("a short first window brings the first audio forward", () -> firstWindow(dir)));
    return tests.stream();
  }

  private static DacDecoder load(TensorSource weights) {
    return DacDecoder.load(weights, "audio_encoder.", manager, DataType.FLOAT32);
  }

  /** frames[i][k] from codes[k][t]. */
  private static long[][] frames(long[][] codes, int from, int to) {
    long[][] out = new long[to - from][codes.length];
    for (int t = from; t < to; t++) {
      for (int k = 0; k < codes.length; k++) {
        out[t - from][k] = codes[k][t];
      }
    }
    return out;
  }

  private static float[] concat(List<float[]> parts) {
    int n = parts.stream().mapToInt(p -> p.length).sum();
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  private static void streamed(Path dir, DacGoldenCase c) {
    try (TensorSource weights = TensorSource.open(dir);
        DacDecoder dac = load(weights)) {
      int hop = dac.config().hopLength();
      ReceptiveField context = dac.receptiveField();
      for (int b = 0; b < c.batch(); b++) {
        long[][] codes = c.row(b);
        float[] offline = dac.decode(codes);
        float[] golden =
            Arrays.copyOfRange(c.audio(), b * c.frames() * hop, (b + 1) * c.frames() * hop);
        Tensors.assertClose(c.name() + " offline row " + b, golden, offline);
        for (int chunk : CHUNKS) {
          DacStreamDecoder stream = new DacStreamDecoder(dac, chunk);
          List<float[]> parts = new ArrayList<>();
          int pushed = 0;
          for (int i = 0; pushed < c.frames(); i++) {
            int next = Math.min(c.frames(), pushed + PIECES[i % PIECES.length]);
            float[] part = stream.push(frames(codes, pushed, next));
            pushed = next;
            // Never emits audio that still depends on frames not pushed yet ...
            assertTrue(
                stream.emittedSamples() <= (long) pushed * hop - context.rightSamples()
                    || stream.emittedSamples() == 0);
            parts.add(part);
          }
          long beforeFinish = stream.emittedSamples();
          // ... but emits everything final once a chunk is ready.
          long final_ = (long) c.frames() * hop - context.rightSamples();
          assertTrue(
              beforeFinish >= final_ - (long) (chunk + PIECES.length) * hop,
              "chunk "
                  + chunk
                  + ": only "
                  + beforeFinish
                  + " of "
                  + final_
                  + " final samples emitted");
          parts.add(stream.finish());
          float[] audio = concat(parts);
          String what = c.name() + " row " + b + " chunk " + chunk;
          Tensors.assertClose(what + " vs offline", offline, audio, SEAM_TOLERANCE, SEAM_TOLERANCE);
          Tensors.assertClose(what + " vs golden", golden, audio);
          assertEquals(0, stream.finish().length);
          stream.close();
        }
      }
    }
  }

  /**
   * Four streams fed one frame per step, as the stepper does: three in phase (their windows line up
   * and decode as one batch), one a frame behind (decoded alone). Each equals its own stream alone.
   */
  private static void decodedTogether(Path dir) {
    try (TensorSource weights = TensorSource.open(dir);
        DacDecoder dac = load(weights)) {
      long[][] golden = DacGoldenCase.all(dir).get(0).row(0);
      int frames = golden[0].length;
      int chunk = 2;
      int[] lag = {0, 0, 0, 1};
      List<long[][]> codes = new ArrayList<>();
      List<float[]> alone = new ArrayList<>();
      long passesAlone = 0;
      for (int s = 0; s < lag.length; s++) {
        long[][] shifted = new long[golden.length][frames]; // other audio for every stream
        for (int k = 0; k < golden.length; k++) {
          for (int t = 0; t < frames; t++) {
            shifted[k][t] = golden[k][(t + 3 * s) % frames];
          }
        }
        codes.add(shifted);
        long before = dac.streamingPasses();
        try (DacStreamDecoder stream = new DacStreamDecoder(dac, chunk)) {
          List<float[]> parts = new ArrayList<>();
          for (int t = 0; t < frames; t++) {
            parts.add(stream.push(frames(shifted, t, t + 1)));
          }
          if (s < 3) {
            passesAlone += dac.streamingPasses() - before;
          }
          parts.add(stream.finish());
          alone.add(concat(parts));
        }
      }
      List<DacStreamDecoder> streams = new ArrayList<>();
      List<List<float[]>> parts = new ArrayList<>();
      for (int s = 0; s < lag.length; s++) {
        streams.add(new DacStreamDecoder(dac, chunk));
        parts.add(new ArrayList<>());
      }
      long before = dac.streamingPasses();
      for (int step = 0; step < frames + 1; step++) {
        for (int s = 0; s < lag.length; s++) {
          int t = step - lag[s];
          if (t >= 0 && t < frames) {
            assertEquals(
                (t + 1) % chunk == 0, streams.get(s).offer(frames(codes.get(s), t, t + 1)));
          }
        }
        float[][] audio = DacStreamDecoder.decodeDue(streams);
        for (int s = 0; s < lag.length; s++) {
          parts.get(s).add(audio[s]);
        }
      }
      long passesTogether = dac.streamingPasses() - before;
      for (int s = 0; s < lag.length; s++) {
        parts.get(s).add(streams.get(s).finish());
        streams.get(s).close();
        Tensors.assertClose(
            "stream " + s, alone.get(s), concat(parts.get(s)), SEAM_TOLERANCE, SEAM_TOLERANCE);
      }
      // The in-phase three cost the passes of one; the lagging one its own.
      assertEquals(2 * passesAlone / 3, passesTogether);
    }
  }

  private static void receptiveField(Path dir) {
    try (TensorSource weights = TensorSource.open(dir);
        DacDecoder dac = load(weights)) {
      ReceptiveField rf = dac.receptiveField();
      int hop = dac.config().hopLength();
      // Golden codes repeated until a window with context on both sides fits.
      long[][] golden = DacGoldenCase.all(dir).get(0).row(0);
      int n = 4 * (rf.leftFrames() + rf.rightFrames()) + 8;
      long[][] codes = new long[golden.length][n];
      for (int k = 0; k < golden.length; k++) {
        for (int t = 0; t < n; t++) {
          codes[k][t] = golden[k][t % golden[k].length];
        }
      }
      float[] full = dac.decode(codes);
      int a = rf.leftFrames() + 2;
      int b = n - rf.rightFrames() - 2;
      long[][] window = new long[codes.length][];
      for (int k = 0; k < codes.length; k++) {
        window[k] = Arrays.copyOfRange(codes[k], a, b);
      }
      float[] part = dac.decode(window);
      int exactFrom = rf.leftSamples();
      int exactTo = part.length - rf.rightSamples();
      assertTrue(exactTo > exactFrom + 1, "fixture too short for this check");
      // Inside the exact span the window decode matches (bit for bit on the CPU engine); one
      // sample further out on either side already sees the window's zero padding.
      double interior = 0;
      for (int i = exactFrom; i < exactTo; i++) {
        interior = Math.max(interior, Math.abs(part[i] - full[a * hop + i]));
      }
      assertTrue(interior <= SEAM_TOLERANCE, "window interior differs by " + interior);
      double left = Math.abs(part[exactFrom - 1] - full[a * hop + exactFrom - 1]);
      double right = Math.abs(part[exactTo] - full[a * hop + exactTo]);
      assertTrue(left > interior, "left edge not tight: " + left + " <= " + interior);
      assertTrue(right > interior, "right edge not tight: " + right + " <= " + interior);
    }
  }

  private static void specialIds(Path dir) {
    try (TensorSource weights = TensorSource.open(dir);
        DacDecoder dac = load(weights)) {
      DacGoldenCase c = DacGoldenCase.all(dir).get(0);
      long[][] codes = c.row(0);
      int size = dac.config().codebookSize();
      long[][] clean = frames(codes, 0, c.frames());
      List<long[]> withSpecial = new ArrayList<>(Arrays.asList(clean));
      long[] eos = clean[0].clone();
      eos[eos.length - 1] = size; // EOS/PAD id in the last codebook
      long[] bos = clean[0].clone();
      bos[0] = size + 1;
      withSpecial.add(c.frames() / 2, eos);
      withSpecial.add(bos);
      DacStreamDecoder stream = new DacStreamDecoder(dac, 2);
      List<float[]> parts = new ArrayList<>();
      for (long[] frame : withSpecial) {
        parts.add(stream.push(new long[][] {frame}));
      }
      parts.add(stream.finish());
      stream.close();
      assertEquals(2, stream.droppedFrames());
      Tensors.assertClose(
          "stream without special frames",
          dac.decode(codes),
          concat(parts),
          SEAM_TOLERANCE,
          SEAM_TOLERANCE);
    }
  }

  /**
   * Frame by frame, the stream can first emit audio at {@link DacStreamDecoder#earliestFirstChunk};
   * a first window of that length emits it there, later windows keep their own length, and the
   * whole still equals the offline decode.
   */
  private static void firstWindow(Path dir) {
    try (TensorSource weights = TensorSource.open(dir);
        DacDecoder dac = load(weights)) {
      int earliest = DacStreamDecoder.earliestFirstChunk(dac);
      int chunk = 4;
      // the golden cases are shorter than this DAC's reach: random valid codes, seeded
      int length = earliest + 3 * chunk + 1;
      int k = dac.config().numCodebooks();
      SplittableRandom random = new SplittableRandom(17);
      long[][] codes = new long[k][length];
      for (long[] codebook : codes) {
        for (int t = 0; t < length; t++) {
          codebook[t] = random.nextInt(dac.config().codebookSize());
        }
      }
      try (DacStreamDecoder everyFrame = new DacStreamDecoder(dac, 1)) {
        int firstAudio = -1;
        for (int t = 0; t < length && firstAudio < 0; t++) {
          if (everyFrame.push(frames(codes, t, t + 1)).length > 0) {
            firstAudio = t + 1;
          }
        }
        assertEquals(earliest, firstAudio, "frames known when the first audio can come out");
      }
      try (DacStreamDecoder stream = new DacStreamDecoder(dac, earliest, chunk)) {
        List<float[]> parts = new ArrayList<>();
        List<Integer> windows = new ArrayList<>(); // frames known at each non-empty push
        for (int t = 0; t < length; t++) {
          float[] audio = stream.push(frames(codes, t, t + 1));
          parts.add(audio);
          if (audio.length > 0) {
            windows.add(t + 1);
          }
        }
        parts.add(stream.finish());
        assertEquals(
            List.of(earliest, earliest + chunk, earliest + 2 * chunk, earliest + 3 * chunk),
            windows);
        Tensors.assertClose(
            "short first window", dac.decode(codes), concat(parts), SEAM_TOLERANCE, SEAM_TOLERANCE);
      }
    }
  }

  private static void badFrames(Path dir) {
    try (TensorSource weights = TensorSource.open(dir);
        DacDecoder dac = load(weights)) {
      int k = dac.config().numCodebooks();
      DacStreamDecoder stream = new DacStreamDecoder(dac, 1);
      assertThrows(
          IllegalArgumentException.class, () -> stream.push(new long[][] {new long[k + 1]}));
      long[] negative = new long[k];
      negative[0] = -1;
      assertThrows(IllegalArgumentException.class, () -> stream.push(new long[][] {negative}));
      stream.finish();
      assertThrows(IllegalStateException.class, () -> stream.push(new long[][] {new long[k]}));
      stream.close();
      assertThrows(IllegalArgumentException.class, () -> new DacStreamDecoder(dac, 0));
      try (NDManager scope = manager.newSubManager()) {
        long[] ids = new long[k];
        ids[1] = dac.config().codebookSize();
        IllegalArgumentException e =
            assertThrows(
                IllegalArgumentException.class,
                () -> dac.decode(scope.create(ids, new ai.djl.ndarray.types.Shape(1, k, 1))));
        assertTrue(e.getMessage().contains("special ids"), e::getMessage);
      }
    }
  }
}
