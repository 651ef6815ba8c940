package dev.parlance.tts.core.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Optional;
import org.junit.jupiter.api.Test;

class ModelIdTest {
  @Test
  void parsesIdsAndRevisions() {
    assertEquals(
        Optional.of(new ModelId("parler-tts/parler-tts-mini-v1", "main")),
        ModelId.parse("parler-tts/parler-tts-mini-v1"));
    assertEquals(
        Optional.of(new ModelId("parler-tts/parler-tts-large-v1", "refs/pr/9")),
        ModelId.parse("parler-tts/parler-tts-large-v1@refs/pr/9"));
    ModelId pinned = ModelId.parse("org/name@" + "a".repeat(40)).orElseThrow();
    assertTrue(pinned.isCommitHash());
    assertFalse(ModelId.parse("org/name@v1.0").orElseThrow().isCommitHash());
  }

  @Test
  void cacheFolderNameIsPythons() {
    assertEquals(
        "models--parler-tts--parler-tts-mini-v1",
        ModelId.parse("parler-tts/parler-tts-mini-v1").orElseThrow().cacheFolderName());
  }

  @Test
  void rejectsWhatIsNotAnId() {
    for (String bad :
        new String[] {
          "name-only",
          "a/b/c",
          "/abs/path",
          "org/name@",
          "org--x/name",
          "org/na..me",
          "org/name.git",
          "org/name@../../etc",
          "org/name@a b",
          "org/name@/x",
          "",
        }) {
      assertTrue(ModelId.parse(bad).isEmpty(), bad);
    }
  }
}
