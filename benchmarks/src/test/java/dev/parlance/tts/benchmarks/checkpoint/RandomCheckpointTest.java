package dev.parlance.tts.benchmarks.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parlance.tts.core.checkpoint.TensorInfo;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.checkpoint.TensorType;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The generator's output is a checkpoint the real reader opens, with exactly the tensor names and
 * shapes of a checkpoint the reference Python code saved (the tiny fixture has the mini-v1 flag set
 * at tiny sizes).
 */
class RandomCheckpointTest {

  /** The sizes of {@code tiny-mini-v1-arch} (its config.json and golden.json "dac" entry). */
  static final ParlerShape TINY =
      new ParlerShape(
          "tiny",
          "test/tiny",
          128,
          32,
          48,
          4,
          8,
          2,
          32,
          2,
          4,
          64,
          9,
          64,
          128,
          256,
          4,
          16,
          4,
          new int[] {2, 4},
          16,
          new int[] {4, 2},
          44100);

  @TempDir Path tmp;

  @Test
  void tinyShapeReproducesEveryNameAndShapeOfTheReferenceSavedFixture() throws IOException {
    Path fixture = BenchCheckpoints.defaultTokenizerDir();
    RandomCheckpoint.write(TINY, 7, tmp, fixture, RandomCheckpoint.DEFAULT_MAX_SHARD_BYTES);

    try (TensorSource generated = TensorSource.open(tmp);
        TensorSource reference = TensorSource.open(fixture)) {
      assertEquals(shapes(reference), shapes(generated));
      for (String name : generated.names()) {
        assertEquals(TensorType.F32, generated.info(name).type(), name);
      }
    }
    assertTrue(Files.isRegularFile(tmp.resolve("tokenizer.json")));
    JsonObject config =
        JsonParser.parseString(Files.readString(tmp.resolve("config.json"))).getAsJsonObject();
    assertEquals(32, config.getAsJsonObject("decoder").get("hidden_size").getAsInt());
    assertEquals(64, config.get("pad_token_id").getAsInt());
    assertEquals(65, config.get("decoder_start_token_id").getAsInt());
    assertTrue(RandomCheckpoint.isComplete(TINY, 7, tmp));
    assertFalse(RandomCheckpoint.isComplete(TINY, 8, tmp));
  }

  @Test
  void sameSeedSameBytesAndValuesAreFiniteAndScaled() throws IOException {
    Path a = tmp.resolve("a");
    Path b = tmp.resolve("b");
    Path tokenizer = BenchCheckpoints.defaultTokenizerDir();
    RandomCheckpoint.write(TINY, 3, a, tokenizer, RandomCheckpoint.DEFAULT_MAX_SHARD_BYTES);
    RandomCheckpoint.write(TINY, 3, b, tokenizer, RandomCheckpoint.DEFAULT_MAX_SHARD_BYTES);
    assertEquals(
        -1, Files.mismatch(a.resolve("model.safetensors"), b.resolve("model.safetensors")));

    try (TensorSource w = TensorSource.open(a)) {
      float[] fc1 = w.readFloats("decoder.model.decoder.layers.0.fc1.weight"); // (64, 32)
      double sumSq = 0;
      for (float v : fc1) {
        assertTrue(Float.isFinite(v) && Math.abs(v) <= Math.sqrt(3.0 / 32) + 1e-6, "bounded " + v);
        sumSq += v * v;
      }
      assertEquals(1.0 / 32, sumSq / fc1.length, 0.3 / 32, "std 1/sqrt(fan_in)");
      assertEquals(1f, w.readFloats("decoder.model.decoder.layers.1.final_layer_norm.weight")[5]);
      // LM head: audio rows sum to zero, EOS and higher rows are the constant -margin/H.
      float[] head = w.readFloats("decoder.lm_heads.4.weight"); // (128, 32)
      double rowSum = 0;
      for (int i = 0; i < 32; i++) {
        rowSum += head[10 * 32 + i];
      }
      assertEquals(0, rowSum, 1e-5);
      assertEquals(-ParlerLayout.SPECIAL_LOGIT_MARGIN / 32, head[64 * 32 + 3], 1e-6);
      // Sinusoid row 1: cos(1) first, then sin(1) (frequency index 0).
      float[] table = w.readFloats("decoder.model.decoder.embed_positions.weights");
      assertEquals(Math.cos(1), table[32], 1e-6);
      assertEquals(Math.sin(1), table[32 + 16], 1e-6);
    }
  }

  @Test
  void largeCheckpointsAreShardedBehindAnIndex() throws IOException {
    RandomCheckpoint.write(TINY, 1, tmp, BenchCheckpoints.defaultTokenizerDir(), 200_000);
    assertTrue(Files.isRegularFile(tmp.resolve(TensorSource.INDEX_FILE)));
    assertFalse(Files.exists(tmp.resolve(TensorSource.SINGLE_FILE)));
    try (TensorSource sharded = TensorSource.open(tmp)) {
      assertEquals(ParlerLayout.tensors(TINY).size(), sharded.names().size());
      assertArrayEquals(
          new long[] {16, 16, 7},
          sharded.info("audio_encoder.model.decoder.model.0.weight_v").shape());
    }
  }

  @Test
  void miniV1HasThePublishedParameterCountAndMatmulShapes() {
    Map<String, long[]> layout = new TreeMap<>();
    ParlerLayout.tensors(ParlerShape.MINI_V1).forEach(t -> layout.put(t.name(), t.shape()));
    // spec §10.1: the published F32 data sections, byte for byte (mini-v1 file, large-v1 shards)
    assertEquals(3_511_369_160L, ParlerLayout.parameters(ParlerShape.MINI_V1) * 4);
    assertEquals(9_332_053_448L, ParlerLayout.parameters(ParlerShape.LARGE_V1) * 4);
    assertArrayEquals(
        new long[] {4096, 1024}, layout.get("decoder.model.decoder.layers.23.fc1.weight"));
    assertArrayEquals(new long[] {1088, 1024}, layout.get("decoder.lm_heads.8.weight"));
    assertArrayEquals(
        new long[] {1089, 1024}, layout.get("decoder.model.decoder.embed_tokens.0.weight"));
    assertArrayEquals(new long[] {32128, 1024}, layout.get("text_encoder.shared.weight"));
    assertArrayEquals(
        new long[] {2816, 1024},
        layout.get("text_encoder.encoder.block.23.layer.1.DenseReluDense.wi_0.weight"));
    assertArrayEquals(
        new long[] {1536, 768, 16},
        layout.get("audio_encoder.model.decoder.model.1.block.1.weight_v"));
    assertArrayEquals(
        new long[] {1, 96, 7}, layout.get("audio_encoder.model.decoder.model.6.weight_v"));
    assertFalse(layout.containsKey("enc_to_dec_proj.weight"));
  }

  private static Map<String, String> shapes(TensorSource source) {
    Map<String, String> out = new TreeMap<>();
    for (String name : source.names()) {
      TensorInfo info = source.info(name);
      out.put(name, java.util.Arrays.toString(info.shape()));
    }
    return out;
  }
}
