package dev.parlance.tts.core.model.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.parlance.tts.core.checkpoint.CheckpointException;
import dev.parlance.tts.core.checkpoint.SafetensorsWriter;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.kernel.WeightFormat;
import dev.parlance.tts.core.testing.Tensors;
import java.io.IOException;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Predicate;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The encoder against a plain-Java, loop-by-loop T5 written from the model spec (§3), on random
 * weights: covers the variants the golden fixtures do not (ReLU T5, padded batches, layer-norm
 * weights other than 1) and the loader's errors.
 */
class T5EncoderTest {

  @TempDir Path dir;

  /** Gated GELU with num_heads * d_kv (12) != d_model (10). */
  private static final T5Config GATED =
      new T5Config(50, 10, 4, 14, 2, 3, 32, 128, 1e-6, "gelu_new", true);

  /** Original T5: ReLU, not gated, small bucket count. */
  private static final T5Config RELU =
      new T5Config(50, 12, 3, 20, 3, 4, 8, 20, 1e-6, "relu", false);

  private static final long[][] IDS = {
    {5, 17, 3, 44, 9, 23, 31, 7, 12, 1}, {8, 2, 40, 1, 0, 0, 0, 0, 0, 0}
  };
  private static final long[][] MASK = {
    {1, 1, 1, 1, 1, 1, 1, 1, 1, 1}, {1, 1, 1, 1, 0, 0, 0, 0, 0, 0}
  };

  @Test
  void gatedGeluMatchesLoopReference() throws IOException {
    checkAgainstReference(GATED, "text_encoder.");
  }

  @Test
  void reluT5MatchesLoopReference() throws IOException {
    checkAgainstReference(RELU, "");
  }

  private void checkAgainstReference(T5Config c, String prefix) throws IOException {
    Map<String, float[]> w = randomWeights(c, new Random(7));
    Path file = write(w, prefix, n -> true);
    float[] expected = new Reference(c, w).encode(IDS, MASK);
    try (TensorSource source = TensorSource.open(file);
        NDManager m = NDManager.newBaseManager("PyTorch");
        T5Encoder encoder = T5Encoder.load(source, prefix, c, m, WeightFormat.FLOAT32);
        NDManager request = m.newSubManager()) {
      NDArray out = encoder.encode(request.create(IDS), request.create(MASK));
      assertEquals(DataType.FLOAT32, out.getDataType());
      Tensors.assertClose("last_hidden_state", expected, out.toFloatArray());
    }
  }

  @Test
  void float16WeightsKeepNormAndSoftmaxInFloat32() throws IOException {
    Map<String, float[]> w = randomWeights(GATED, new Random(11));
    Path file = write(w, "", n -> true);
    float[] expected = new Reference(GATED, w).encode(IDS, MASK);
    try (TensorSource source = TensorSource.open(file);
        NDManager m = NDManager.newBaseManager("PyTorch");
        T5Encoder encoder = T5Encoder.load(source, "", GATED, m, WeightFormat.FLOAT16)) {
      NDArray out = encoder.encode(m.create(IDS), m.create(MASK));
      assertEquals(DataType.FLOAT32, out.getDataType());
      Tensors.assertClose("fp16 last_hidden_state", expected, out.toFloatArray(), 2e-2, 2e-2);
    }
  }

  @Test
  void tiedEmbedTokensNameIsAccepted() throws IOException {
    Map<String, float[]> w = randomWeights(GATED, new Random(3));
    w.put("encoder.embed_tokens.weight", w.remove("shared.weight"));
    Path file = write(w, "", n -> true);
    try (TensorSource source = TensorSource.open(file);
        NDManager m = NDManager.newBaseManager("PyTorch");
        T5Encoder encoder = T5Encoder.load(source, "", GATED, m, WeightFormat.FLOAT32)) {
      w.put("shared.weight", w.get("encoder.embed_tokens.weight"));
      float[] expected = new Reference(GATED, w).encode(IDS, MASK);
      Tensors.assertClose(
          "last_hidden_state",
          expected,
          encoder.encode(m.create(IDS), m.create(MASK)).toFloatArray());
    }
  }

  @Test
  void encodeLeavesNothingBehind() throws IOException {
    Path file = write(randomWeights(GATED, new Random(5)), "", n -> true);
    try (TensorSource source = TensorSource.open(file);
        NDManager m = NDManager.newBaseManager("PyTorch");
        T5Encoder encoder = T5Encoder.load(source, "", GATED, m, WeightFormat.FLOAT32)) {
      int before = ((BaseNDManager) m).getManagedArrays().size();
      for (int i = 0; i < 5; i++) {
        try (NDManager request = m.newSubManager()) {
          NDArray ids = request.create(IDS);
          NDArray out = encoder.encode(ids, request.create(MASK));
          assertTrue(ids.getManager() == request && out.getManager() == request);
        }
      }
      assertEquals(before, ((BaseNDManager) m).getManagedArrays().size());
    }
  }

  @Test
  void badInputsAreClearErrors() throws IOException {
    Path file = write(randomWeights(GATED, new Random(5)), "", n -> true);
    try (TensorSource source = TensorSource.open(file);
        NDManager m = NDManager.newBaseManager("PyTorch");
        T5Encoder encoder = T5Encoder.load(source, "", GATED, m, WeightFormat.FLOAT32)) {
      IllegalArgumentException range =
          assertThrows(
              IllegalArgumentException.class,
              () ->
                  encoder.encode(
                      m.create(new long[][] {{3, 50}}), m.create(new long[][] {{1, 1}})));
      assertTrue(range.getMessage().contains("[0, 50)"), range.getMessage());
      assertThrows(
          IllegalArgumentException.class,
          () -> encoder.encode(m.create(new long[][] {{3, 4}}), m.create(new long[][] {{1}})));
    }
  }

  @Test
  void missingTensorsAreAllListed() throws IOException {
    Path file =
        write(
            randomWeights(GATED, new Random(1)),
            "text_encoder.",
            n -> !n.contains("block.1.layer.1") && !n.equals("encoder.final_layer_norm.weight"));
    try (TensorSource source = TensorSource.open(file);
        NDManager m = NDManager.newBaseManager("PyTorch")) {
      CheckpointException e =
          assertThrows(
              CheckpointException.class,
              () -> T5Encoder.load(source, "text_encoder.", GATED, m, WeightFormat.FLOAT32));
      assertTrue(e.getMessage().contains("5 tensor(s) missing"), e.getMessage());
      assertTrue(
          e.getMessage()
              .contains("text_encoder.encoder.block.1.layer.1.DenseReluDense.wi_1.weight"),
          e.getMessage());
      assertTrue(
          e.getMessage().contains("text_encoder.encoder.final_layer_norm.weight"), e.getMessage());
    }
  }

  @Test
  void shapeMismatchNamesTheTensor() throws IOException {
    Path file = write(randomWeights(GATED, new Random(1)), "", n -> true);
    T5Config wider = new T5Config(50, 10, 4, 16, 2, 3, 32, 128, 1e-6, "gelu_new", true);
    try (TensorSource source = TensorSource.open(file);
        NDManager m = NDManager.newBaseManager("PyTorch")) {
      CheckpointException e =
          assertThrows(
              CheckpointException.class,
              () -> T5Encoder.load(source, "", wider, m, WeightFormat.FLOAT32));
      assertTrue(e.getMessage().contains("encoder.block.0.layer.1.DenseReluDense.wi_0.weight"));
      assertTrue(e.getMessage().contains("[16, 10]"), e.getMessage());
    }
  }

  private Path write(Map<String, float[]> weights, String prefix, Predicate<String> keep)
      throws IOException {
    SafetensorsWriter writer = new SafetensorsWriter();
    weights.forEach(
        (name, values) -> {
          if (keep.test(name)) {
            writer.addFloats(prefix + name, SHAPES.get(name), values);
          }
        });
    Path file = dir.resolve("t5-" + System.nanoTime() + ".safetensors");
    writer.write(file);
    return file;
  }

  private static final Map<String, long[]> SHAPES = new LinkedHashMap<>();

  /** Random T5 weights by (unprefixed) name; norm weights around 1, embeddings around 0. */
  private static Map<String, float[]> randomWeights(T5Config c, Random random) {
    Map<String, float[]> w = new LinkedHashMap<>();
    int d = c.dModel();
    int inner = c.innerDim();
    int ff = c.dFf();
    put(w, random, "shared.weight", 1f, 0f, c.vocabSize(), d);
    put(
        w,
        random,
        "encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight",
        1f,
        0f,
        c.relativeAttentionNumBuckets(),
        c.numHeads());
    for (int i = 0; i < c.numLayers(); i++) {
      String b = "encoder.block." + i + ".layer.";
      for (String p : new String[] {"q", "k", "v"}) {
        put(w, random, b + "0.SelfAttention." + p + ".weight", 0.4f, 0f, inner, d);
      }
      put(w, random, b + "0.SelfAttention.o.weight", 0.4f, 0f, d, inner);
      put(w, random, b + "0.layer_norm.weight", 0.5f, 1f, d);
      if (c.gatedAct()) {
        put(w, random, b + "1.DenseReluDense.wi_0.weight", 0.4f, 0f, ff, d);
        put(w, random, b + "1.DenseReluDense.wi_1.weight", 0.4f, 0f, ff, d);
      } else {
        put(w, random, b + "1.DenseReluDense.wi.weight", 0.4f, 0f, ff, d);
      }
      put(w, random, b + "1.DenseReluDense.wo.weight", 0.4f, 0f, d, ff);
      put(w, random, b + "1.layer_norm.weight", 0.5f, 1f, d);
    }
    put(w, random, "encoder.final_layer_norm.weight", 0.5f, 1f, d);
    return w;
  }

  private static void put(
      Map<String, float[]> w,
      Random random,
      String name,
      float scale,
      float offset,
      long... shape) {
    int n = 1;
    for (long s : shape) {
      n *= (int) s;
    }
    float[] v = new float[n];
    for (int i = 0; i < n; i++) {
      v[i] = offset + scale * (random.nextFloat() * 2 - 1);
    }
    w.put(name, v);
    SHAPES.put(name, shape);
    if (name.equals("shared.weight")) {
      SHAPES.put("encoder.embed_tokens.weight", shape);
    }
  }

  /** T5 encoder as the spec writes it, one loop at a time, in double precision. */
  private record Reference(T5Config c, Map<String, float[]> w) {

    float[] encode(long[][] ids, long[][] mask) {
      int batch = ids.length;
      int len = ids[0].length;
      int d = c.dModel();
      float[] out = new float[batch * len * d];
      for (int b = 0; b < batch; b++) {
        double[][] x = new double[len][d];
        float[] emb = w.get("shared.weight");
        for (int s = 0; s < len; s++) {
          for (int i = 0; i < d; i++) {
            x[s][i] = emb[(int) ids[b][s] * d + i];
          }
        }
        for (int layer = 0; layer < c.numLayers(); layer++) {
          String p = "encoder.block." + layer + ".layer.";
          attention(x, mask[b], p);
          feedForward(x, p);
        }
        for (int s = 0; s < len; s++) {
          double[] y = rms(x[s], w.get("encoder.final_layer_norm.weight"));
          for (int i = 0; i < d; i++) {
            out[(b * len + s) * d + i] = (float) y[i];
          }
        }
      }
      return out;
    }

    private void attention(double[][] x, long[] mask, String p) {
      int len = x.length;
      int heads = c.numHeads();
      int dk = c.dKv();
      double[][] q = new double[len][];
      double[][] k = new double[len][];
      double[][] v = new double[len][];
      for (int s = 0; s < len; s++) {
        double[] a = rms(x[s], w.get(p + "0.layer_norm.weight"));
        q[s] = linear(a, w.get(p + "0.SelfAttention.q.weight"), c.innerDim());
        k[s] = linear(a, w.get(p + "0.SelfAttention.k.weight"), c.innerDim());
        v[s] = linear(a, w.get(p + "0.SelfAttention.v.weight"), c.innerDim());
      }
      float[] rel = w.get("encoder.block.0.layer.0.SelfAttention.relative_attention_bias.weight");
      double[][] context = new double[len][c.innerDim()];
      for (int h = 0; h < heads; h++) {
        for (int i = 0; i < len; i++) {
          double[] scores = new double[len];
          double max = Double.NEGATIVE_INFINITY;
          for (int j = 0; j < len; j++) {
            double dot = 0;
            for (int e = 0; e < dk; e++) {
              dot += q[i][h * dk + e] * k[j][h * dk + e];
            }
            int bucket =
                RelativePositionBias.bucket(
                    j - i, c.relativeAttentionNumBuckets(), c.relativeAttentionMaxDistance());
            scores[j] = dot + rel[bucket * heads + h] + (mask[j] == 0 ? -Float.MAX_VALUE : 0);
            max = Math.max(max, scores[j]);
          }
          double sum = 0;
          for (int j = 0; j < len; j++) {
            scores[j] = Math.exp(scores[j] - max);
            sum += scores[j];
          }
          for (int j = 0; j < len; j++) {
            for (int e = 0; e < dk; e++) {
              context[i][h * dk + e] += scores[j] / sum * v[j][h * dk + e];
            }
          }
        }
      }
      for (int s = 0; s < len; s++) {
        double[] o = linear(context[s], w.get(p + "0.SelfAttention.o.weight"), c.dModel());
        for (int i = 0; i < o.length; i++) {
          x[s][i] += o[i];
        }
      }
    }

    private void feedForward(double[][] x, String p) {
      String dense = p + "1.DenseReluDense.";
      for (double[] row : x) {
        double[] a = rms(row, w.get(p + "1.layer_norm.weight"));
        double[] h;
        if (c.gatedAct()) {
          h = linear(a, w.get(dense + "wi_0.weight"), c.dFf());
          double[] lin = linear(a, w.get(dense + "wi_1.weight"), c.dFf());
          for (int i = 0; i < h.length; i++) {
            h[i] = act(h[i]) * lin[i];
          }
        } else {
          h = linear(a, w.get(dense + "wi.weight"), c.dFf());
          for (int i = 0; i < h.length; i++) {
            h[i] = act(h[i]);
          }
        }
        double[] out = linear(h, w.get(dense + "wo.weight"), c.dModel());
        for (int i = 0; i < out.length; i++) {
          row[i] += out[i];
        }
      }
    }

    private double act(double z) {
      return switch (c.denseActFn()) {
        case "gelu_new" ->
            0.5 * z * (1 + Math.tanh(Math.sqrt(2 / Math.PI) * (z + 0.044715 * z * z * z)));
        case "relu" -> Math.max(0, z);
        default -> throw new IllegalArgumentException(c.denseActFn());
      };
    }

    private double[] rms(double[] x, float[] weight) {
      double sq = 0;
      for (double v : x) {
        sq += v * v;
      }
      double scale = 1 / Math.sqrt(sq / x.length + c.layerNormEpsilon());
      double[] y = new double[x.length];
      for (int i = 0; i < x.length; i++) {
        y[i] = weight[i] * x[i] * scale;
      }
      return y;
    }

    /** y = x W^T with W (out, in) row-major. */
    private static double[] linear(double[] x, float[] weight, int out) {
      double[] y = new double[out];
      for (int o = 0; o < out; o++) {
        double sum = 0;
        for (int i = 0; i < x.length; i++) {
          sum += x[i] * weight[o * x.length + i];
        }
        y[o] = sum;
      }
      return y;
    }
  }
}
