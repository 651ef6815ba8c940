package dev.parlance.tts.core.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.core.hub.HubConfig;
import dev.parlance.tts.core.hub.ModelResolver;
import dev.parlance.tts.core.testing.Fixtures;
import dev.parlance.tts.spi.EngineUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What identifies the engine's weights in cache keys, for hub ids and plain directories. */
class ModelSourceTest {
  private static final String COMMIT = "0123456789abcdef0123456789abcdef01234567";

  private static ModelResolver offline(Path cache) {
    return new ModelResolver(
        HubConfig.fromEnvironment(
            Map.of(HubConfig.HF_HUB_CACHE, cache.toString(), HubConfig.HF_HUB_OFFLINE, "1")));
  }

  @Test
  void aHubIdIsKeyedByRepositoryAndCommit(@TempDir Path cache) throws IOException {
    Path repo = cache.resolve("models--test-org--tiny");
    Path snapshot = repo.resolve("snapshots").resolve(COMMIT);
    copy(Fixtures.checkpoint("tiny-mini-v1-arch"), snapshot);
    Files.createDirectories(repo.resolve("refs"));
    Files.writeString(repo.resolve("refs/main"), COMMIT);

    ModelSource source = ModelSource.resolve("test-org/tiny", offline(cache));
    assertEquals("test-org/tiny", source.modelId());
    assertEquals(COMMIT, source.revision());
    assertEquals(snapshot, source.directory());
  }

  @Test
  void aDirectoryIsKeyedByItsPathAndAFingerprintOfItsFiles(@TempDir Path dir, @TempDir Path cache)
      throws IOException {
    copy(Fixtures.checkpoint("tiny-mini-v1-arch"), dir);
    ModelSource first = ModelSource.resolve(dir.toString(), offline(cache));
    assertEquals(dir.toAbsolutePath().normalize().toString(), first.modelId());
    assertTrue(first.revision().startsWith("local-"), first.revision());
    assertEquals(first, ModelSource.resolve(dir.toString(), offline(cache)));

    Path weights = dir.resolve("model.safetensors");
    Files.setLastModifiedTime(weights, FileTime.fromMillis(1_000_000));
    assertNotEquals(
        first.revision(), ModelSource.resolve(dir.toString(), offline(cache)).revision());
  }

  @Test
  void anUncachedIdOfflineIsUnavailableWithTheResolversAdvice(@TempDir Path cache) {
    EngineUnavailableException e =
        assertThrows(
            EngineUnavailableException.class,
            () -> ModelSource.resolve("test-org/missing", offline(cache)));
    assertTrue(e.getMessage().contains("test-org/missing"), e.getMessage());
  }

  @Test
  void aPromptOnlyCheckpointGetsItsT5DescriptionTokenizerThroughTheResolver(
      @TempDir Path dir, @TempDir Path cache) throws IOException {
    copy(Fixtures.checkpoint("tiny-mini-v1-arch"), dir);
    // mini-v1.1 style: the repository tokenizer is the (Llama) prompt tokenizer only
    Files.writeString(
        dir.resolve("tokenizer_config.json"), "{\"tokenizer_class\":\"LlamaTokenizer\"}");
    EngineUnavailableException missing =
        assertThrows(
            EngineUnavailableException.class,
            () -> ModelSource.resolve(dir.toString(), offline(cache)));
    assertTrue(missing.getMessage().contains("google/flan-t5-large"), missing.getMessage());

    Path t5 = cache.resolve("models--google--flan-t5-large");
    Path snapshot = t5.resolve("snapshots").resolve(COMMIT);
    Files.createDirectories(snapshot);
    Files.copy(
        Fixtures.checkpoint("tiny-mini-v1-arch").resolve("tokenizer.json"),
        snapshot.resolve("tokenizer.json"));
    Files.createDirectories(t5.resolve("refs"));
    Files.writeString(t5.resolve("refs/main"), COMMIT);

    assertEquals(
        snapshot, ModelSource.resolve(dir.toString(), offline(cache)).descriptionTokenizer());
  }

  private static void copy(Path from, Path to) throws IOException {
    Files.createDirectories(to);
    try (Stream<Path> files = Files.list(from)) {
      files.forEach(
          f -> {
            try {
              Files.copy(f, to.resolve(f.getFileName().toString()));
            } catch (IOException e) {
              throw new UncheckedIOException(e);
            }
          });
    }
  }
}
