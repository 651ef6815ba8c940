package dev.parlance.tts.core.model.decoder;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.DataType;
import dev.parlance.tts.core.device.DtypePolicy;
import dev.parlance.tts.core.kernel.WeightFormat;
import dev.parlance.tts.core.model.Conditioning;
import dev.parlance.tts.core.model.ParlerModel;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.core.testing.Tensors;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Pooled attention ({@link ParlerDecoder#stepRows} over a {@link KvPool}) gives every row the
 * logits it gets stepped alone on its own cache, within 1e-5: rows at different lengths, padded
 * descriptions and left-padded prompts, a row leaving (a hole in the slot range), a row joining
 * into the freed slot, and the pool growing its slots and capacity while rows hold data.
 */
class DecoderKvPoolTest {
  private static final List<String> DESCRIPTIONS =
      List.of(
          "A man speaks.",
          "A woman speaks slowly and clearly in a quiet room.",
          "A calm voice.",
          "A very expressive and animated female voice, recorded close up.",
          "Fast.");
  private static final List<String> PROMPTS =
      List.of("Hello there.", "Fine.", "The quick brown fox jumps over the lazy dog.", "Yes", "Ok");
  private static final double TOLERANCE = 1e-5;

  /** One request twice: on a pooled cache, and on its own cache stepped alone. */
  private record Row(int index, KvCache pooled, KvCache alone) {}

  @ParameterizedTest
  @ValueSource(strings = {"tiny-mini-v1-arch", "tiny-rope-gqa-fused"})
  void pooledRowsMatchEachRowSteppedAlone(String fixture) {
    pooledRowsMatchEachRowSteppedAlone(Fixtures.checkpoint(fixture), WeightFormat.FLOAT32);
  }

  /** Each weight format's kernel runs inside the pooled step, through PackedKernels' project. */
  @ParameterizedTest
  @EnumSource(
      value = WeightFormat.class,
      names = {"FLOAT16", "BFLOAT16", "INT8"})
  void pooledRowsMatchInEveryWeightFormat(WeightFormat format) {
    pooledRowsMatchEachRowSteppedAlone(Fixtures.checkpoint("tiny-mini-v1-arch"), format);
  }

  /** The fixtures use gelu; the pooled step spells out the other activations a config may name. */
  @ParameterizedTest
  @ValueSource(strings = {"gelu_new", "relu", "silu"})
  void pooledRowsMatchWithEveryActivation(String activation, @TempDir Path dir) throws IOException {
    Path fixture = Fixtures.checkpoint("tiny-mini-v1-arch");
    try (Stream<Path> files = Files.list(fixture)) {
      for (Path f : (Iterable<Path>) files::iterator) {
        Files.copy(f, dir.resolve(f.getFileName()));
      }
    }
    Path config = dir.resolve("config.json");
    String json = Files.readString(config);
    String gelu = "\"activation_function\": \"gelu\"";
    assertTrue(json.contains(gelu));
    Files.writeString(
        config, json.replace(gelu, "\"activation_function\": \"" + activation + "\""));
    pooledRowsMatchEachRowSteppedAlone(dir, WeightFormat.FLOAT32);
  }

  private void pooledRowsMatchEachRowSteppedAlone(Path checkpoint, WeightFormat format) {
    try (ParlerModel model = ParlerModel.load(checkpoint, Device.cpu(), DtypePolicy.of(format));
        NDManager request = model.newRequestManager()) {
      ParlerDecoder decoder = model.decoder();
      // one padded batch: rows carry padded description tokens and left-padded prompt positions
      Conditioning c = model.condition(DESCRIPTIONS, PROMPTS, request);
      KvPool pool = decoder.newPool(request.newSubManager());
      // rows 0..3 at different lengths; row 3 is past the pool's first capacity (64)
      Row[] rows = {
        row(model, c, 0, 0, request),
        row(model, c, 1, 1, request),
        row(model, c, 2, 5, request),
        row(model, c, 3, 70, request)
      };
      int step = 0;
      for (; step < 3; step++) {
        compare(decoder, pool, rows, step, request);
      }
      assertEquals(4, pool.rows());
      // what the memory budget charges the rows covers what the pool holds
      int longest = 0;
      for (Row r : rows) {
        longest = Math.max(longest, r.pooled().capacity);
      }
      long charged =
          4 * (decoder.rowMemory().pooledRowBytes(longest, c.descriptionMask()[0].length));
      assertTrue(pool.bytes() <= charged, pool.bytes() + " held, " + charged + " charged");
      assertTrue(pool.capacity() > 64, "the pool grew while rows held data");
      assertTrue(pool.capacity() <= c.promptLength() + 100, "never past the rows' own capacity");

      // row 1 leaves: slots 0, 2, 3 step with a hole at slot 1, in an arbitrary order
      int freed = rows[1].pooled().slot;
      rows[1].pooled().close();
      rows[1].alone().close();
      Row[] three = {rows[3], rows[0], rows[2]};
      for (; step < 6; step++) {
        compare(decoder, pool, three, step, request);
      }
      assertNotEquals(freed, rows[3].pooled().slot);

      // a new row joins into the freed slot
      Row late = row(model, c, 4, 2, request);
      Row[] four = {late, rows[0], rows[2], rows[3]};
      for (; step < 9; step++) {
        compare(decoder, pool, four, step, request);
      }
      assertEquals(freed, late.pooled().slot);
      assertEquals(4, pool.slots());

      // a pooled cache cannot take the single-request path any more
      assertThrows(
          IllegalStateException.class,
          () -> decoder.step(late.pooled(), null, column(decoder, 0, 0), 1, request));

      for (Row r : four) {
        r.pooled().close();
        r.alone().close();
      }
      assertEquals(0, pool.rows());
      assertEquals(0, pool.slots(), "the last row to leave frees the pool's tensors");
      pool.close();
    }
  }

  private static float[] host(NDArray logits) {
    return logits.toType(DataType.FLOAT32, false).toFloatArray();
  }

  /** Steps {@code rows} pooled and each alone, and compares their logits. */
  private static void compare(
      ParlerDecoder decoder, KvPool pool, Row[] rows, int step, NDManager request) {
    int k = decoder.config().numCodebooks();
    long[] ids = new long[rows.length * k];
    for (int i = 0; i < rows.length; i++) {
      long[] own = column(decoder, rows[i].index(), step);
      System.arraycopy(own, 0, ids, i * k, k);
    }
    float[] pooled;
    try (NDManager s = request.newSubManager()) {
      KvCache[] caches = new KvCache[rows.length];
      for (int i = 0; i < rows.length; i++) {
        caches[i] = rows[i].pooled();
      }
      pooled = host(decoder.stepRows(pool, caches, ids, s));
    }
    int width = pooled.length / rows.length;
    for (int i = 0; i < rows.length; i++) {
      float[] alone;
      try (NDManager s = request.newSubManager()) {
        alone =
            host(decoder.step(rows[i].alone(), null, column(decoder, rows[i].index(), step), 1, s));
      }
      float[] own = new float[width];
      System.arraycopy(pooled, i * width, own, 0, width);
      Tensors.assertClose(
          "step " + step + " row " + rows[i].index(), alone, own, TOLERANCE, TOLERANCE);
      assertEquals(rows[i].alone().length(), rows[i].pooled().length());
    }
  }

  /** Row {@code i} of the padded batch, prefilled (prompt + BOS) and advanced {@code extra}. */
  private static Row row(ParlerModel model, Conditioning c, int i, int extra, NDManager request) {
    KvCache[] caches = new KvCache[2];
    for (int copy = 0; copy < 2; copy++) {
      NDIndex one = new NDIndex("{}:{}", i, i + 1);
      KvCache cache =
          model
              .decoder()
              .newCache(
                  c.encoderStates().get(one),
                  new long[][] {c.descriptionMask()[i]},
                  new long[][] {c.promptMask()[i]},
                  c.promptLength() + 100,
                  request.newSubManager());
      try (NDManager s = request.newSubManager()) {
        NDArray prompt = c.promptEmbeds().get(one);
        model.decoder().step(cache, prompt, bos(model), 1, s);
        for (int t = 0; t < extra; t++) {
          model.decoder().step(cache, null, column(model.decoder(), i, 100 + t), 1, s);
        }
      }
      caches[copy] = cache;
    }
    return new Row(i, caches[0], caches[1]);
  }

  private static long[] bos(ParlerModel model) {
    long[] ids = new long[model.decoder().config().numCodebooks()];
    Arrays.fill(ids, model.config().generation().decoderStartTokenId());
    return ids;
  }

  /** Arbitrary valid audio token ids for one row and step. */
  private static long[] column(ParlerDecoder decoder, int row, int step) {
    int k = decoder.config().numCodebooks();
    long[] ids = new long[k];
    for (int j = 0; j < k; j++) {
      ids[j] = (row * 31L + step * 7L + j * 13L) % decoder.config().vocabSize();
    }
    return ids;
  }
}
