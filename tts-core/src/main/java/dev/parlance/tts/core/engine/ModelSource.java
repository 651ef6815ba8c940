package dev.parlance.tts.core.engine;

import dev.parlance.tts.core.hub.HubException;
import dev.parlance.tts.core.hub.ModelId;
import dev.parlance.tts.core.hub.ModelResolver;
import dev.parlance.tts.core.tokenizer.ParlerTokenizers;
import dev.parlance.tts.spi.EngineUnavailableException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Where the weights come from and what identifies them in cache keys.
 *
 * @param directory the local checkpoint directory
 * @param modelId the hub repository id, or the directory's absolute path
 * @param revision the hub commit the snapshot belongs to; for a plain directory a fingerprint of
 *     its files' names, sizes and modification times, so replaced weights never hit old cache
 *     entries
 * @param descriptionTokenizer the T5 description tokenizer fetched for checkpoints that ship only a
 *     prompt tokenizer (mini-v1.1), else null
 */
record ModelSource(Path directory, String modelId, String revision, Path descriptionTokenizer) {

  /**
   * Resolves {@code model} (a directory, {@code org/name} or {@code org/name@revision}) the way the
   * CLI and the server do, downloading into the hub cache when needed.
   *
   * @throws EngineUnavailableException resolution failed; the message says what to do
   */
  static ModelSource resolve(String model, ModelResolver resolver) {
    Path dir;
    Path descriptionTokenizer;
    try {
      dir = resolver.resolve(model);
      // mini-v1.1 ships a Llama prompt tokenizer only; its T5 description tokenizer lives in the
      // text encoder's own repository, resolved (and cached) the same way.
      descriptionTokenizer =
          ParlerTokenizers.descriptionTokenizerToFetch(dir)
              .map(resolver::resolveTokenizer)
              .orElse(null);
    } catch (HubException e) {
      throw new EngineUnavailableException(
          "cannot resolve model '" + model + "': " + e.getMessage(), e);
    }
    Optional<ModelId> id = ModelId.parse(model.trim());
    Path snapshots = dir.getParent();
    boolean fromHub =
        id.isPresent()
            && snapshots != null
            && snapshots.getFileName() != null
            && snapshots.getFileName().toString().equals("snapshots");
    if (fromHub) {
      return new ModelSource(
          dir, id.get().repoId(), dir.getFileName().toString(), descriptionTokenizer);
    }
    Path abs = dir.toAbsolutePath().normalize();
    return new ModelSource(dir, abs.toString(), fingerprint(abs), descriptionTokenizer);
  }

  private static String fingerprint(Path dir) {
    try (Stream<Path> files = Files.list(dir)) {
      List<Path> sorted = files.filter(Files::isRegularFile).sorted().toList();
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (Path f : sorted) {
        String entry =
            f.getFileName() + "\n" + Files.size(f) + "\n" + Files.getLastModifiedTime(f) + "\n";
        sha.update(entry.getBytes(StandardCharsets.UTF_8));
      }
      return "local-" + HexFormat.of().formatHex(sha.digest()).substring(0, 16);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot list checkpoint directory " + dir, e);
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }
}
