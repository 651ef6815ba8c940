package dev.parlance.tts.core.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parlance.tts.core.checkpoint.CheckpointException;
import dev.parlance.tts.core.generation.GenerationConfig;
import dev.parlance.tts.core.model.decoder.DecoderConfig;
import dev.parlance.tts.core.testing.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import org.junit.jupiter.api.Test;

class ParlerConfigTest {

  @Test
  void readsTheRopeGqaFixture() {
    ParlerConfig c = ParlerConfig.load(Fixtures.checkpoint("tiny-rope-gqa-fused"));
    DecoderConfig d = c.decoder();
    assertEquals(32, d.hiddenSize());
    assertEquals(4, d.numHeads());
    assertEquals(2, d.numKeyValueHeads());
    assertEquals(1, d.numCrossKeyValueHeads());
    assertTrue(d.rope());
    assertEquals(100_000.0, d.ropeTheta());
    assertTrue(d.fusedLmHeads());
    assertEquals(24, c.textHiddenSize());
    assertTrue(c.hasEncoderProjection());
    assertEquals(33, c.decoderStartTokenId());
    assertEquals(32, c.codebookSize());
    assertEquals(128, c.promptVocabSize());
  }

  @Test
  void generationDefaultsIncludeTheImplicitTopK() {
    GenerationConfig g = ParlerConfig.load(Fixtures.checkpoint("tiny-mini-v1-arch")).generation();
    assertTrue(g.doSample());
    assertEquals(2580, g.maxLength());
    assertEquals(50, g.topK());
    assertEquals(1.0, g.topP());
    assertEquals(1.0, g.temperature());
    assertEquals(0, g.minNewTokens());
    assertEquals(65, g.decoderStartTokenId());
    assertEquals(64, g.eosTokenId());
  }

  @Test
  void miniV1GenerationConfig() {
    JsonObject g =
        JsonParser.parseString(
                "{\"bos_token_id\":1025,\"decoder_start_token_id\":1025,\"do_sample\":true,"
                    + "\"eos_token_id\":1024,\"max_length\":2580,\"min_new_tokens\":10,"
                    + "\"pad_token_id\":1024,\"guidance_scale\":1}")
            .getAsJsonObject();
    GenerationConfig c = GenerationConfig.fromJson(g, 1025, 1024);
    assertEquals(10, c.minNewTokens());
    assertEquals(50, c.topK());
    g.addProperty("max_new_tokens", 100);
    assertEquals(101, GenerationConfig.fromJson(g, 1025, 1024).maxLength());
    g.addProperty("guidance_scale", 3.0);
    assertThrows(CheckpointException.class, () -> GenerationConfig.fromJson(g, 1025, 1024));
  }

  @Test
  void errorsNameTheField() throws IOException {
    JsonObject config =
        JsonParser.parseString(
                Files.readString(Fixtures.checkpoint("tiny-mini-v1-arch").resolve("config.json")))
            .getAsJsonObject();
    config.getAsJsonObject("decoder").remove("hidden_size");
    String m =
        assertThrows(CheckpointException.class, () -> ParlerConfig.parse(config, new JsonObject()))
            .getMessage();
    assertTrue(m.contains("decoder.hidden_size"), m);

    JsonObject gelu = config.deepCopy();
    gelu.getAsJsonObject("decoder").addProperty("hidden_size", 32);
    gelu.getAsJsonObject("decoder").addProperty("activation_function", "swiglu");
    m =
        assertThrows(CheckpointException.class, () -> ParlerConfig.parse(gelu, new JsonObject()))
            .getMessage();
    assertTrue(m.contains("activation_function"), m);

    JsonObject gqa = gelu.deepCopy();
    gqa.getAsJsonObject("decoder").addProperty("activation_function", "gelu");
    gqa.getAsJsonObject("decoder").addProperty("num_key_value_heads", 3);
    m =
        assertThrows(CheckpointException.class, () -> ParlerConfig.parse(gqa, new JsonObject()))
            .getMessage();
    assertTrue(m.contains("num_key_value_heads"), m);

    JsonObject ok = gqa.deepCopy();
    ok.getAsJsonObject("decoder").addProperty("num_key_value_heads", 2);
    assertFalse(ParlerConfig.parse(ok, new JsonObject()).generation().doSample());
  }
}
