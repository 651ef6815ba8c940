package dev.parlance.tts.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.parlance.tts.core.device.DtypePolicy;
import dev.parlance.tts.core.generation.Generation;
import dev.parlance.tts.core.generation.SamplingSettings;
import dev.parlance.tts.core.kernel.WeightFormat;
import dev.parlance.tts.core.model.decoder.KvCache;
import dev.parlance.tts.core.model.decoder.ParlerDecoder;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.core.testing.Tensors;
import dev.parlance.tts.core.tokenizer.TokenBatch;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.DynamicContainer;
import org.junit.jupiter.api.DynamicNode;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;

/**
 * Checks the Java port against every golden fixture under {@code tts.fixtures.dir}: one container
 * per fixture directory, named after it. Shapes and settings come from each fixture's golden.json,
 * so any fixture in this format is checked the same way. fp32 tolerance 1e-4 abs/rel; ids exact.
 */
class ParlerGoldenTest {
  private static final List<AutoCloseable> OPEN = new ArrayList<>();

  @AfterAll
  static void closeAll() throws Exception {
    for (AutoCloseable c : OPEN) {
      c.close();
    }
  }

  @TestFactory
  Stream<DynamicNode> fixtures() {
    List<Path> dirs = Fixtures.checkpoints();
    assertTrue(!dirs.isEmpty(), "no fixtures under " + Fixtures.root());
    return dirs.stream().map(ParlerGoldenTest::fixture);
  }

  private static DynamicNode fixture(Path dir) {
    String name = dir.getFileName().toString();
    Loaded fx = new Loaded(dir);
    List<DynamicNode> tests = new ArrayList<>();
    tests.add(DynamicTest.dynamicTest(name + " tokenizer", fx::tokenizer));
    for (String batch : fx.batchesWith(".t5_last_hidden_state")) {
      tests.add(DynamicTest.dynamicTest(name + " encoder " + batch, () -> fx.encoder(batch)));
    }
    for (String batch : fx.batchesWith(".tf_logits")) {
      tests.add(
          DynamicTest.dynamicTest(name + " tf_logits " + batch, () -> fx.teacherForced(batch)));
    }
    for (Map.Entry<String, String> run : fx.runs().entrySet()) {
      tests.add(
          DynamicTest.dynamicTest(
              name + " " + run.getKey(), () -> fx.greedy(run.getKey(), run.getValue())));
    }
    tests.add(DynamicTest.dynamicTest(name + " dac", fx::dac));
    return DynamicContainer.dynamicContainer(name, tests);
  }

  /** One fixture's model and goldens, loaded on first use. */
  private static final class Loaded {
    final Path dir;
    final JsonObject json;
    ParlerConfig config;
    NDManager manager;
    GoldenData golden;
    ParlerModel model;
    ParlerDecoder decoder;

    Loaded(Path dir) {
      this.dir = dir;
      this.json = Fixtures.goldenJson(dir);
    }

    synchronized void load() {
      if (manager != null) {
        return;
      }
      config = ParlerConfig.load(dir);
      manager = NDManager.newBaseManager(Device.cpu());
      OPEN.add(manager);
      golden = new GoldenData(Fixtures.goldenTensors(dir), manager);
      OPEN.add(golden);
      model = ParlerModel.load(dir, Device.cpu(), DtypePolicy.of(WeightFormat.FLOAT32));
      OPEN.add(model);
      decoder = model.decoder();
    }

    TokenBatch tokens(String batch, String prefix) {
      return new TokenBatch(
          golden.rows(batch + "." + prefix + "input_ids"),
          golden.rows(batch + "." + prefix + "attention_mask"));
    }

    void tokenizer() {
      load();
      int n = 0;
      for (JsonElement e : json.getAsJsonArray("tokenizer_cases")) {
        JsonObject c = e.getAsJsonObject();
        long[] expected =
            StreamSupport.stream(c.getAsJsonArray("ids").spliterator(), false)
                .mapToLong(JsonElement::getAsLong)
                .toArray();
        String text = c.get("text").getAsString();
        Tensors.assertIdsEqual(text, expected, model.tokenizers().description().encode(text));
        n++;
      }
      assertTrue(n > 0, "no tokenizer_cases");
      // the input batches: descriptions right-padded, prompts left-padded
      for (String batch : json.getAsJsonObject("inputs").keySet()) {
        JsonObject in = json.getAsJsonObject("inputs").getAsJsonObject(batch);
        TokenBatch d = model.tokenizers().encodeDescriptions(strings(in, "descriptions"));
        TokenBatch p = model.tokenizers().encodePrompts(strings(in, "prompts"));
        assertIds(batch + ".input_ids", tokens(batch, "").ids(), d.ids());
        assertIds(batch + ".attention_mask", tokens(batch, "").mask(), d.mask());
        assertIds(batch + ".prompt_input_ids", tokens(batch, "prompt_").ids(), p.ids());
        assertIds(batch + ".prompt_attention_mask", tokens(batch, "prompt_").mask(), p.mask());
      }
    }

    void encoder(String batch) {
      load();
      try (NDManager request = model.newRequestManager()) {
        Conditioning c = model.condition(tokens(batch, ""), tokens(batch, "prompt_"), request);
        Tensors.assertClose(
            batch + ".t5_last_hidden_state",
            golden.floats(batch + ".t5_last_hidden_state"),
            c.textStates().toFloatArray());
        Tensors.assertClose(
            batch + ".encoder_hidden_states",
            golden.floats(batch + ".encoder_hidden_states"),
            c.encoderStates().toFloatArray());
        Tensors.assertClose(
            batch + ".prompt_hidden_states",
            golden.floats(batch + ".prompt_hidden_states"),
            c.promptEmbeds().toFloatArray());
      }
    }

    void dac() {
      load();
      try (NDManager request = model.newRequestManager()) {
        NDArray codes = golden.array("dac.codes");
        codes.attach(request);
        Tensors.assertClose(
            "dac.latent", golden.floats("dac.latent"), model.dac().fromCodes(codes).toFloatArray());
        Tensors.assertClose(
            "dac.audio", golden.floats("dac.audio"), model.dac().decode(codes).toFloatArray());
      }
    }

    /** Batch prefixes (b1, b2, ...) that have a tensor with this suffix. */
    List<String> batchesWith(String suffix) {
      List<String> out = new ArrayList<>();
      for (String t : json.getAsJsonObject("tensors").keySet()) {
        if (t.endsWith(suffix)) {
          out.add(t.substring(0, t.length() - suffix.length()));
        }
      }
      return out;
    }

    /**
     * Greedy runs, each with its input set: {@code gen_<input>[_...]} names its input; a run whose
     * name names none takes the one input of its batch size that no run is named exactly after.
     */
    Map<String, String> runs() {
      JsonObject runs = json.getAsJsonObject("generation").getAsJsonObject("runs");
      Set<String> inputs = json.getAsJsonObject("inputs").keySet();
      Map<String, String> out = new java.util.LinkedHashMap<>();
      Set<String> claimed = new HashSet<>();
      for (String run : runs.keySet()) {
        String stem = run.startsWith("gen_") ? run.substring(4).split("_")[0] : run;
        if (inputs.contains(stem)) {
          out.put(run, stem);
          if (run.equals("gen_" + stem)) {
            claimed.add(stem);
          }
        }
      }
      for (String run : runs.keySet()) {
        if (out.containsKey(run)) {
          continue;
        }
        int bsz = runs.getAsJsonObject(run).get("batch_size").getAsInt();
        List<String> free = new ArrayList<>();
        for (String in : inputs) {
          if (!claimed.contains(in) && batchSize(in) == bsz) {
            free.add(in);
          }
        }
        assertEquals(1, free.size(), "cannot tell which input run " + run + " uses: " + free);
        out.put(run, free.get(0));
      }
      return out;
    }

    int batchSize(String input) {
      return (int)
          json.getAsJsonObject("tensors")
              .getAsJsonObject(input + ".input_ids")
              .getAsJsonArray("shape")
              .get(0)
              .getAsLong();
    }

    KvCache cache(String batch, int capacity, NDManager request) {
      NDArray states = golden.array(batch + ".encoder_hidden_states");
      states.attach(request);
      return decoder.newCache(
          states,
          golden.rows(batch + ".attention_mask"),
          golden.rows(batch + ".prompt_attention_mask"),
          capacity,
          request);
    }

    void teacherForced(String batch) {
      load();
      int k = config.decoder().numCodebooks();
      int vocab = config.decoder().vocabSize();
      long[][] input = golden.rows(batch + ".tf_decoder_input_ids"); // (B*K, m)
      long[][] promptMask = golden.rows(batch + ".prompt_attention_mask");
      int b = input.length / k;
      int m = input[0].length;
      int p = promptMask[0].length;
      long[] ids = new long[b * m * k];
      for (int bi = 0; bi < b; bi++) {
        for (int t = 0; t < m; t++) {
          for (int c = 0; c < k; c++) {
            ids[(bi * m + t) * k + c] = input[bi * k + c][t];
          }
        }
      }
      float[] actual;
      try (NDManager request = manager.newSubManager();
          KvCache cache = cache(batch, p + m, request)) {
        NDArray prompt = golden.array(batch + ".prompt_hidden_states");
        prompt.attach(request);
        actual = decoder.allLogits(cache, prompt, ids, m, request);
      }
      float[] expected = golden.floats(batch + ".tf_logits");
      int positions = p + m;
      assertEquals(expected.length, actual.length, "tf_logits size");
      // rows at left-padded prompt positions attend to nothing real: skip them (README note 13)
      List<Float> e = new ArrayList<>();
      List<Float> a = new ArrayList<>();
      for (int row = 0; row < b * k; row++) {
        for (int pos = 0; pos < positions; pos++) {
          if (pos < p && promptMask[row / k][pos] == 0) {
            continue;
          }
          int base = (row * positions + pos) * vocab;
          for (int v = 0; v < vocab; v++) {
            e.add(expected[base + v]);
            a.add(actual[base + v]);
          }
        }
      }
      Tensors.assertClose(batch + ".tf_logits", toArray(e), toArray(a));
    }

    void greedy(String run, String batch) {
      load();
      JsonObject settings =
          json.getAsJsonObject("generation").getAsJsonObject("runs").getAsJsonObject(run);
      int maxLength = settings.get("max_length").getAsInt();
      SamplingSettings greedy =
          SamplingSettings.from(config.generation(), 0).greedyWithMaxLength(maxLength);
      List<float[]> steps = new ArrayList<>();
      int eos = config.generation().eosTokenId();
      Generation g;
      try (NDManager request = model.newRequestManager()) {
        Conditioning c = model.condition(tokens(batch, ""), tokens(batch, "prompt_"), request);
        g =
            model.generate(
                c, greedy, request, (gen, logits) -> steps.add(processed(gen, logits, eos)));
      }
      assertEquals(settings.get("sequence_length").getAsInt(), g.length(), run + " length");
      long[][] expectedRaw = golden.rows(run + ".raw_sequences");
      long[][] raw = g.rawSequences();
      for (int row = 0; row < raw.length; row++) {
        Tensors.assertIdsEqual(run + ".raw_sequences row " + row, expectedRaw[row], raw[row]);
      }
      long[][][] codes = g.codes();
      long[] flat = flatten(codes);
      Tensors.assertIdsEqual(run + ".codes", golden.longs(run + ".codes"), flat);
      if (golden.has(run + ".step_logits")) {
        float[] expected = golden.floats(run + ".step_logits");
        float[] actual = concat(steps);
        Tensors.assertClose(run + ".step_logits", expected, actual);
      }
      AudioBatch audio = model.decodeAudio(codes);
      long[] lengths = golden.longs(run + ".audio_lengths");
      long[] actualLengths = new long[audio.lengths().length];
      for (int i = 0; i < actualLengths.length; i++) {
        actualLengths[i] = audio.lengths()[i];
      }
      Tensors.assertIdsEqual(run + ".audio_lengths", lengths, actualLengths);
      float[] flatAudio = new float[0];
      for (float[] item : audio.audio()) {
        flatAudio = concat(List.of(flatAudio, item));
      }
      Tensors.assertClose(run + ".audio", golden.floats(run + ".audio"), flatAudio);
    }
  }

  /** The step's logits as transformers' processed scores show them: -inf where EOS was banned. */
  static float[] processed(Generation g, NDArray logits, int eos) {
    float[] z = logits.toType(DataType.FLOAT32, false).toFloatArray();
    int vocab = (int) logits.getShape().get(1);
    for (int row = 0; row < g.rows(); row++) {
      if (g.eosBanned(row)) {
        z[row * vocab + eos] = Float.NEGATIVE_INFINITY;
      }
    }
    return z;
  }

  static List<String> strings(JsonObject o, String key) {
    List<String> out = new ArrayList<>();
    o.getAsJsonArray(key).forEach(e -> out.add(e.getAsString()));
    return out;
  }

  static void assertIds(String what, long[][] expected, long[][] actual) {
    assertEquals(expected.length, actual.length, what + " rows");
    for (int i = 0; i < expected.length; i++) {
      Tensors.assertIdsEqual(what + " row " + i, expected[i], actual[i]);
    }
  }

  static long[] flatten(long[][][] codes) {
    List<Long> out = new ArrayList<>();
    for (long[][] a : codes) {
      for (long[] r : a) {
        for (long v : r) {
          out.add(v);
        }
      }
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  static float[] concat(List<float[]> parts) {
    int n = 0;
    for (float[] p : parts) {
      n += p.length;
    }
    float[] out = new float[n];
    int at = 0;
    for (float[] p : parts) {
      System.arraycopy(p, 0, out, at, p.length);
      at += p.length;
    }
    return out;
  }

  static float[] toArray(List<Float> values) {
    float[] out = new float[values.size()];
    for (int i = 0; i < out.length; i++) {
      out[i] = values.get(i);
    }
    return out;
  }
}
