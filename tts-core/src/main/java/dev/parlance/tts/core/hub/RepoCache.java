package dev.parlance.tts.core.hub;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Optional;
import java.util.UUID;

/**
 * One model repository inside the hub cache, laid out exactly as {@code huggingface_hub} does
 * (https://huggingface.co/docs/huggingface_hub/guides/manage-cache):
 *
 * <pre>
 * {cache}/models--org--name/blobs/{etag}                  file contents, named by the hub's ETag
 * {cache}/models--org--name/blobs/{etag}.incomplete       a download in progress (resumable)
 * {cache}/models--org--name/refs/{revision}               the commit a branch/tag pointed to
 * {cache}/models--org--name/snapshots/{commit}/{file}     symlink to ../../blobs/{etag}
 * {cache}/models--org--name/.no_exist/{commit}/{file}     empty: the file is absent at that commit
 * {cache}/.locks/models--org--name/{etag}.lock            serialises downloads of one blob
 * </pre>
 */
final class RepoCache {
  private final Path root;
  private final Path locks;

  RepoCache(Path cacheDir, ModelId id) {
    this.root = cacheDir.resolve(id.cacheFolderName());
    this.locks = cacheDir.resolve(".locks").resolve(id.cacheFolderName());
  }

  Path root() {
    return root;
  }

  Path blobs() {
    return root.resolve("blobs");
  }

  Path blob(String etag) {
    return blobs().resolve(etag);
  }

  Path incomplete(String etag) {
    return blobs().resolve(etag + ".incomplete");
  }

  Path lockFile(String etag) {
    return locks.resolve(etag + ".lock");
  }

  Path snapshot(String commit) {
    return root.resolve("snapshots").resolve(commit);
  }

  Path pointer(String commit, String file) {
    return snapshot(commit).resolve(file);
  }

  /** The commit a revision stands for: itself when it is a commit hash, else {@code refs/{rev}}. */
  Optional<String> commitFor(String revision) throws IOException {
    if (ModelId.isCommitHash(revision)) {
      return Optional.of(revision);
    }
    Path ref = root.resolve("refs").resolve(revision);
    if (!Files.isRegularFile(ref)) {
      return Optional.empty();
    }
    String commit = Files.readString(ref, StandardCharsets.UTF_8).trim();
    return commit.isEmpty() ? Optional.empty() : Optional.of(commit);
  }

  /** Records that a branch or tag points to a commit (Python writes no trailing newline). */
  void writeRef(String revision, String commit) throws IOException {
    if (revision.equals(commit) || commitFor(revision).filter(commit::equals).isPresent()) {
      return;
    }
    Path ref = root.resolve("refs").resolve(revision);
    Files.createDirectories(ref.getParent());
    Path tmp = ref.resolveSibling(ref.getFileName() + "." + UUID.randomUUID() + ".tmp");
    Files.writeString(tmp, commit, StandardCharsets.UTF_8);
    Files.move(tmp, ref, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  /** Remembers that an optional file does not exist at a commit, as Python does. */
  void markMissing(String commit, String file) throws IOException {
    Path marker = root.resolve(".no_exist").resolve(commit).resolve(file);
    Files.createDirectories(marker.getParent());
    try {
      Files.createFile(marker);
    } catch (FileAlreadyExistsException e) {
      // another thread or process was first
    }
  }

  /**
   * Makes {@code snapshots/{commit}/{file}} point to the blob: a relative symlink, or a copy where
   * the file system refuses symlinks (Windows without developer mode), like Python.
   */
  Path link(String etag, String commit, String file) throws IOException {
    Path pointer = pointer(commit, file);
    Path blob = blob(etag);
    Files.createDirectories(pointer.getParent());
    // Build the new pointer beside the final name, then rename over it: readers never see a gap.
    Path tmp = pointer.resolveSibling("." + pointer.getFileName() + "." + UUID.randomUUID());
    try {
      Files.createSymbolicLink(tmp, pointer.getParent().relativize(blob));
    } catch (UnsupportedOperationException | FileSystemException e) {
      Files.copy(blob, tmp);
    }
    Files.move(tmp, pointer, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
    return pointer;
  }
}
