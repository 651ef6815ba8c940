package dev.parlance.tts.core.model.t5;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parlance.tts.core.testing.Fixtures;
import org.junit.jupiter.api.Test;

class T5ConfigTest {

  private static final String FLAN =
      "{\"vocab_size\":32128,\"d_model\":1024,\"d_kv\":64,\"d_ff\":2816,\"num_layers\":24,"
          + "\"num_heads\":16,\"relative_attention_num_buckets\":32,"
          + "\"relative_attention_max_distance\":128,\"layer_norm_epsilon\":1e-06,"
          + "\"feed_forward_proj\":\"gated-gelu\",\"max_length\":20,\"do_sample\":false}";

  private static JsonObject json(String s) {
    return JsonParser.parseString(s).getAsJsonObject();
  }

  @Test
  void readsFlanT5LargeAsInMiniV1() {
    T5Config c = T5Config.fromJson(json(FLAN));
    assertEquals(new T5Config(32128, 1024, 64, 2816, 24, 16, 32, 128, 1e-6, "gelu_new", true), c);
    assertEquals(1024, c.innerDim());
  }

  @Test
  void readsEveryFixture() {
    for (var checkpoint : Fixtures.checkpoints()) {
      T5Config c = T5EncoderGoldenTest.config(checkpoint);
      assertEquals("gelu_new", c.denseActFn(), checkpoint.toString());
      assertTrue(c.gatedAct());
      assertEquals(1e-6, c.layerNormEpsilon());
    }
  }

  @Test
  void reluT5IsPlainAndTransformersDefaultsApply() {
    JsonObject o = json(FLAN);
    o.addProperty("feed_forward_proj", "relu");
    o.remove("relative_attention_num_buckets");
    o.remove("relative_attention_max_distance");
    o.remove("layer_norm_epsilon");
    T5Config c = T5Config.fromJson(o);
    assertEquals("relu", c.denseActFn());
    assertFalse(c.gatedAct());
    assertEquals(32, c.relativeAttentionNumBuckets());
    assertEquals(128, c.relativeAttentionMaxDistance());
    assertEquals(1e-6, c.layerNormEpsilon());
  }

  @Test
  void savedActivationFieldsWin() {
    JsonObject o = json(FLAN);
    o.addProperty("feed_forward_proj", "gated-silu");
    assertEquals("silu", T5Config.fromJson(o).denseActFn());
    o.addProperty("dense_act_fn", "gelu_new");
    o.addProperty("is_gated_act", false);
    T5Config c = T5Config.fromJson(o);
    assertEquals("gelu_new", c.denseActFn());
    assertFalse(c.gatedAct());
  }

  @Test
  void errorsNameTheField() {
    JsonObject missing = json(FLAN);
    missing.remove("d_model");
    assertMessage("text_encoder.d_model is missing", missing);

    JsonObject zero = json(FLAN);
    zero.addProperty("num_heads", 0);
    assertMessage("text_encoder.num_heads must be positive", zero);

    JsonObject text = json(FLAN);
    text.addProperty("d_ff", "big");
    assertMessage("text_encoder.d_ff expected an integer", text);

    JsonObject proj = json(FLAN);
    proj.addProperty("feed_forward_proj", "gated-gelu-fast");
    assertMessage("text_encoder.feed_forward_proj", proj);

    JsonObject act = json(FLAN);
    act.addProperty("feed_forward_proj", "gated-mish");
    assertMessage("text_encoder.dense_act_fn unsupported activation 'mish'", act);
  }

  private static void assertMessage(String expected, JsonObject config) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> T5Config.fromJson(config));
    assertTrue(e.getMessage().startsWith(expected), e.getMessage());
  }
}
