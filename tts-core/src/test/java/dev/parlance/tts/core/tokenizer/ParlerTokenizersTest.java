package dev.parlance.tts.core.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotSame;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.parlance.tts.core.checkpoint.CheckpointException;
import dev.parlance.tts.core.checkpoint.SafetensorsFile;
import dev.parlance.tts.core.checkpoint.TensorInfo;
import dev.parlance.tts.core.testing.Fixtures;
import java.io.IOException;
import java.nio.LongBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

class ParlerTokenizersTest {

  @TempDir Path dir;

  @TestFactory
  Stream<DynamicTest> matchesGoldenTokenizerCases() {
    return Fixtures.checkpoints().stream()
        .map(
            checkpoint ->
                DynamicTest.dynamicTest(
                    checkpoint.getFileName().toString(),
                    () -> {
                      JsonObject golden = Fixtures.goldenJson(checkpoint);
                      assertEquals(
                          Optional.empty(),
                          ParlerTokenizers.descriptionTokenizerToFetch(checkpoint));
                      try (ParlerTokenizers tokenizers = ParlerTokenizers.load(checkpoint)) {
                        assertSame(tokenizers.description(), tokenizers.prompt());
                        int n = 0;
                        for (JsonElement e : golden.getAsJsonArray("tokenizer_cases")) {
                          JsonObject c = e.getAsJsonObject();
                          String text = c.get("text").getAsString();
                          long[] expected = longs(c.get("ids"));
                          assertArrayEquals(expected, tokenizers.description().encode(text), text);
                          assertEquals(1L, expected[expected.length - 1], "ends with </s>");
                          n++;
                        }
                        assertTrue(n > 0, "no tokenizer cases");
                      }
                    }));
  }

  @TestFactory
  Stream<DynamicTest> matchesGoldenPaddedBatches() {
    return Fixtures.checkpoints().stream()
        .map(
            checkpoint ->
                DynamicTest.dynamicTest(
                    checkpoint.getFileName().toString(),
                    () -> {
                      JsonObject inputs = Fixtures.goldenJson(checkpoint).getAsJsonObject("inputs");
                      try (ParlerTokenizers tokenizers = ParlerTokenizers.load(checkpoint);
                          SafetensorsFile golden = Fixtures.goldenTensors(checkpoint)) {
                        for (String batch : inputs.keySet()) {
                          JsonObject b = inputs.getAsJsonObject(batch);
                          TokenBatch desc =
                              tokenizers.encodeDescriptions(strings(b, "descriptions"));
                          TokenBatch prompt = tokenizers.encodePrompts(strings(b, "prompts"));
                          assertBatch(golden, batch + ".input_ids", desc.ids());
                          assertBatch(golden, batch + ".attention_mask", desc.mask());
                          assertBatch(golden, batch + ".prompt_input_ids", prompt.ids());
                          assertBatch(golden, batch + ".prompt_attention_mask", prompt.mask());
                        }
                      }
                    }));
  }

  @Test
  void batchArraysAreInt64WithBatchShape() {
    try (ParlerTokenizers tokenizers = ParlerTokenizers.load(Fixtures.checkpoints().get(0));
        NDManager manager = NDManager.newBaseManager("PyTorch")) {
      TokenBatch batch = tokenizers.encodePrompts(List.of("One, two, three.", "Hey"));
      NDArray ids = batch.idsArray(manager);
      NDArray mask = batch.maskArray(manager);
      assertEquals(new Shape(2, batch.length()), ids.getShape());
      assertEquals(DataType.INT64, ids.getDataType());
      assertEquals(DataType.INT64, mask.getDataType());
      assertArrayEquals(batch.ids()[1], ids.get(1).toLongArray());
      // left padding: the short prompt's mask starts with zeros and ends with ones
      long[] m = batch.mask()[1];
      assertEquals(0L, m[0]);
      assertEquals(1L, m[m.length - 1]);
      assertThrows(IllegalArgumentException.class, () -> tokenizers.encodePrompts(List.of()));
    }
  }

  @Test
  void separatePromptTokenizerNeedsADescriptionTokenizer() throws IOException {
    Path checkpoint = llamaPromptCheckpoint();
    assertEquals(
        Optional.of("google/flan-t5-large"),
        ParlerTokenizers.descriptionTokenizerToFetch(checkpoint));
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> ParlerTokenizers.load(checkpoint));
    assertTrue(e.getMessage().contains("google/flan-t5-large"), e.getMessage());
    assertTrue(e.getMessage().contains(ParlerTokenizers.DESCRIPTION_TOKENIZER_DIR), e.getMessage());

    Path missing = dir.resolve("nowhere");
    CheckpointException e2 =
        assertThrows(CheckpointException.class, () -> ParlerTokenizers.load(checkpoint, missing));
    assertTrue(e2.getMessage().contains("nowhere"), e2.getMessage());
  }

  @Test
  void separatePromptTokenizerFromSubDirectoryOrConfiguredPath() throws IOException {
    Path checkpoint = llamaPromptCheckpoint();
    Path t5 = Fixtures.checkpoints().get(0);
    JsonObject golden = Fixtures.goldenJson(t5);
    JsonObject firstCase = golden.getAsJsonArray("tokenizer_cases").get(0).getAsJsonObject();
    String text = firstCase.get("text").getAsString();
    long[] t5Ids = longs(firstCase.get("ids"));

    try (ParlerTokenizers configured = ParlerTokenizers.load(checkpoint, t5)) {
      assertNotSame(configured.description(), configured.prompt());
      assertArrayEquals(t5Ids, configured.encodeDescriptions(List.of(text)).ids()[0]);
      // Llama-style prompt: BOS <s>=1 in front, no EOS, left-padded with <unk>=0
      TokenBatch prompts = configured.encodePrompts(List.of("ab ab", " a "));
      assertArrayEquals(new long[][] {{1, 7, 7}, {0, 1, 6}}, prompts.ids());
      assertArrayEquals(new long[][] {{1, 1, 1}, {0, 1, 1}}, prompts.mask());
    }

    Path sub =
        Files.createDirectory(checkpoint.resolve(ParlerTokenizers.DESCRIPTION_TOKENIZER_DIR));
    for (String f : List.of("tokenizer.json", "tokenizer_config.json")) {
      Files.copy(t5.resolve(f), sub.resolve(f));
    }
    assertEquals(Optional.empty(), ParlerTokenizers.descriptionTokenizerToFetch(checkpoint));
    try (ParlerTokenizers fromSubDir = ParlerTokenizers.load(checkpoint)) {
      assertArrayEquals(t5Ids, fromSubDir.encodeDescriptions(List.of(text)).ids()[0]);
      assertArrayEquals(new long[] {1, 6}, fromSubDir.prompt().encode("a"));
    }
  }

  @Test
  void longTextsAreNotTruncated() {
    String text = "The recording is very noisy. ".repeat(100);
    try (ParlerTokenizers tokenizers = ParlerTokenizers.load(Fixtures.checkpoints().get(0))) {
      long[] ids = tokenizers.description().encode(text);
      assertTrue(ids.length > 1000, "only " + ids.length + " ids");
      assertEquals(1L, ids[ids.length - 1], "ends with </s>");
    }
  }

  @Test
  void missingTokenizerIsAClearError() {
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> ParlerTokenizers.load(dir));
    assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
  }

  /**
   * A checkpoint directory whose tokenizer is a tiny hand-written Llama-style BPE (Metaspace
   * prepend "first", no split, TemplateProcessing prepending {@code <s>}), like mini-v1.1's.
   */
  private Path llamaPromptCheckpoint() throws IOException {
    Path checkpoint = Files.createDirectories(dir.resolve("mini-v1.1-like"));
    String special =
        "\"single_word\":false,\"lstrip\":false,\"rstrip\":false,\"normalized\":false,"
            + "\"special\":true";
    String metaspace =
        "{\"type\":\"Metaspace\",\"replacement\":\"\u2581\",\"prepend_scheme\":\"first\","
            + "\"split\":false}";
    String tokenizer =
        "{\"version\":\"1.0\",\"truncation\":null,\"padding\":null,\"added_tokens\":["
            + "{\"id\":0,\"content\":\"<unk>\","
            + special
            + "},{\"id\":1,\"content\":\"<s>\","
            + special
            + "},{\"id\":2,\"content\":\"</s>\","
            + special
            + "}],\"normalizer\":null,\"pre_tokenizer\":"
            + metaspace
            + ",\"post_processor\":{\"type\":\"TemplateProcessing\","
            + "\"single\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},"
            + "{\"Sequence\":{\"id\":\"A\",\"type_id\":0}}],"
            + "\"pair\":[{\"SpecialToken\":{\"id\":\"<s>\",\"type_id\":0}},"
            + "{\"Sequence\":{\"id\":\"A\",\"type_id\":0}},"
            + "{\"Sequence\":{\"id\":\"B\",\"type_id\":1}}],"
            + "\"special_tokens\":{\"<s>\":{\"id\":\"<s>\",\"ids\":[1],\"tokens\":[\"<s>\"]}}},"
            + "\"decoder\":"
            + metaspace
            + ",\"model\":{\"type\":\"BPE\",\"dropout\":null,\"unk_token\":\"<unk>\","
            + "\"continuing_subword_prefix\":null,\"end_of_word_suffix\":null,\"fuse_unk\":true,"
            + "\"byte_fallback\":true,\"vocab\":{\"<unk>\":0,\"<s>\":1,\"</s>\":2,\"\u2581\":3,"
            + "\"a\":4,\"b\":5,\"\u2581a\":6,\"\u2581ab\":7},"
            + "\"merges\":[\"\u2581 a\",\"\u2581a b\"]}}";
    Files.writeString(checkpoint.resolve("tokenizer.json"), tokenizer);
    Files.writeString(
        checkpoint.resolve("tokenizer_config.json"),
        "{\"tokenizer_class\":\"LlamaTokenizer\",\"add_bos_token\":true,\"add_eos_token\":false,"
            + "\"pad_token\":\"<unk>\",\"padding_side\":\"left\"}");
    Files.writeString(
        checkpoint.resolve("config.json"),
        "{\"text_encoder\":{\"_name_or_path\":\"google/flan-t5-large\"}}");
    return checkpoint;
  }

  private static void assertBatch(SafetensorsFile golden, String name, long[][] actual) {
    TensorInfo info = golden.info(name);
    assertEquals(info.shape()[0], actual.length, name + " rows");
    LongBuffer expected = golden.map(name).asLongBuffer();
    int cols = (int) info.shape()[1];
    for (int r = 0; r < actual.length; r++) {
      long[] row = new long[cols];
      expected.get(row);
      assertArrayEquals(row, actual[r], name + " row " + r);
    }
  }

  private static List<String> strings(JsonObject o, String key) {
    List<String> out = new ArrayList<>();
    o.getAsJsonArray(key).forEach(e -> out.add(e.getAsString()));
    return out;
  }

  private static long[] longs(JsonElement array) {
    return array.getAsJsonArray().asList().stream().mapToLong(JsonElement::getAsLong).toArray();
  }
}
