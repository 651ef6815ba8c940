package dev.parlance.tts.core.hub;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Puts one verified file into {@code blobs/{etag}}: under the blob's lock, resumes {@code
 * {etag}.incomplete} with range requests, retries transient failures, checks size (and sha256 for
 * LFS files), and only then renames it into place, so a blob that exists is always complete.
 */
final class BlobFetcher {
  private static final Logger log = LoggerFactory.getLogger(BlobFetcher.class);

  static final int MAX_ATTEMPTS = 5;
  static final int MAX_VERIFY_FAILURES = 2;
  private static final long LOUD_SIZE = 10_000_000; // smaller files are logged at debug only

  private final HubClient client;
  private final ToLongFunction<Path> usableSpace;
  private final Duration progressInterval;
  private final Duration retryBackoff;

  BlobFetcher(
      HubClient client,
      ToLongFunction<Path> usableSpace,
      Duration progressInterval,
      Duration retryBackoff) {
    this.client = client;
    this.usableSpace = usableSpace;
    this.progressInterval = progressInterval;
    this.retryBackoff = retryBackoff;
  }

  /**
   * Makes sure the blob for {@code remote} exists in the cache.
   *
   * @return true when this call downloaded it, false when it was there (or another thread or
   *     process finished it while we waited for the lock)
   */
  @SuppressWarnings("try") // the lock is held, not used, inside the block
  boolean fetch(ModelId id, RepoCache cache, RemoteFile remote, Refresh refresh)
      throws IOException {
    Path blob = cache.blob(remote.etag());
    if (Files.exists(blob)) {
      return false;
    }
    Files.createDirectories(cache.blobs());
    String label = id.repoId() + " " + remote.file();
    try (BlobLock lock = BlobLock.acquire(cache.lockFile(remote.etag()), label)) {
      if (Files.exists(blob)) {
        return false;
      }
      Path partial = cache.incomplete(remote.etag());
      IOException lastFailure = null;
      int verifyFailures = 0;
      for (int attempt = 1; attempt <= MAX_ATTEMPTS; attempt++) {
        // LFS files are hashed as they arrive, sparing a second read of gigabytes
        MessageDigest digest = remote.isSha256() ? Sha256.newDigest() : null;
        String sha256;
        try {
          boolean hashed = download(label, cache, remote, partial, digest);
          sha256 = hashed && digest != null ? Sha256.hex(digest) : null;
        } catch (IOException e) {
          if (Thread.currentThread().isInterrupted()) {
            throw new HubException(
                HubException.Kind.DOWNLOAD_FAILED, "interrupted while downloading " + label, e);
          }
          if (isDiskFull(e)) {
            throw diskFull(label, cache, remote, partial, e);
          }
          lastFailure = e;
          log.warn(
              "Download of {} failed (attempt {}/{}): {}",
              label,
              attempt,
              MAX_ATTEMPTS,
              e.toString());
          pause(attempt);
          remote = refreshed(remote, refresh, label);
          continue;
        }
        Optional<String> problem = verify(partial, remote, sha256);
        if (problem.isEmpty()) {
          Files.move(partial, blob, StandardCopyOption.ATOMIC_MOVE);
          return true;
        }
        Files.deleteIfExists(partial);
        if (++verifyFailures >= MAX_VERIFY_FAILURES) {
          throw new HubException(
              HubException.Kind.VERIFICATION_FAILED,
              "downloaded "
                  + label
                  + " does not match what the hub announced ("
                  + problem.get()
                  + "), "
                  + verifyFailures
                  + " times; the copy was discarded. A proxy or mirror ("
                  + HubConfig.HF_ENDPOINT
                  + ") may be altering files; try again later or from another network");
        }
        log.warn("{}: {}; downloading it again", label, problem.get());
      }
      throw new HubException(
          HubException.Kind.DOWNLOAD_FAILED,
          "could not download "
              + label
              + " after "
              + MAX_ATTEMPTS
              + " attempts ("
              + lastFailure
              + "); the part already downloaded is kept and resumed next time",
          lastFailure);
    }
  }

  /** Asks the hub again for a file's metadata, for a fresh download URL. */
  interface Refresh {
    RemoteFile get() throws IOException;
  }

  /**
   * CDN URLs are signed and expire (an hour on huggingface.co), so a retry of a long download asks
   * the hub for a fresh one. The blob must stay the same: the file is pinned to a commit.
   */
  private static RemoteFile refreshed(RemoteFile remote, Refresh refresh, String label) {
    try {
      RemoteFile fresh = refresh.get();
      if (fresh.etag().equals(remote.etag()) && fresh.size() == remote.size()) {
        return fresh;
      }
      log.warn("{} changed on the hub while downloading; keeping the first answer", label);
    } catch (IOException | HubException e) {
      log.debug("Could not refresh the download URL of {}: {}", label, e.toString());
    }
    return remote;
  }

  /** Returns whether {@code digest} (if any) now holds the hash of the whole file. */
  private boolean download(
      String label, RepoCache cache, RemoteFile remote, Path partial, MessageDigest digest)
      throws IOException {
    long have = Files.exists(partial) ? Files.size(partial) : 0;
    if (remote.size() > have) {
      long free = usableSpace.applyAsLong(cache.blobs());
      if (free < remote.size() - have) {
        throw new HubException(
            HubException.Kind.DISK_FULL,
            needsSpace(label, cache, remote.size() - have, free, "not enough free space"));
      }
    }
    boolean loud = remote.size() >= LOUD_SIZE;
    if (have > 0) {
      log.info(
          "Resuming {} at {} of {}",
          label,
          DownloadProgress.bytes(have),
          DownloadProgress.bytes(remote.size()));
    } else if (loud) {
      log.info(
          "Downloading {} ({}) from {}",
          label,
          DownloadProgress.bytes(remote.size()),
          remote.location().getHost());
    }
    return client.download(
        remote,
        partial,
        digest,
        (r, present) ->
            new DownloadProgress(
                label,
                r.size(),
                present,
                System::nanoTime,
                loud ? log::info : log::debug,
                progressInterval));
  }

  /** Empty when the file matches the hub's size and (for LFS files) sha256, else what differs. */
  static Optional<String> verify(Path file, RemoteFile remote) throws IOException {
    return verify(file, remote, null);
  }

  /**
   * @param sha256 the file's hash when it was computed while downloading, else {@code null}
   */
  private static Optional<String> verify(Path file, RemoteFile remote, String sha256)
      throws IOException {
    long size = Files.size(file);
    if (remote.size() >= 0 && size != remote.size()) {
      return Optional.of("size " + size + " instead of " + remote.size());
    }
    if (!remote.isSha256()) {
      return Optional.empty(); // a git blob id: the size check is what Python does too
    }
    String sha = sha256 != null ? sha256 : Sha256.of(file);
    return sha.equals(remote.etag())
        ? Optional.empty()
        : Optional.of("sha256 " + sha + " instead of " + remote.etag());
  }

  /** ENOSPC / EDQUOT as the JDK words them on Linux, macOS and Windows. */
  static boolean isDiskFull(Throwable e) {
    for (Throwable t = e; t != null; t = t.getCause()) {
      String m = String.valueOf(t.getMessage()).toLowerCase(Locale.ROOT);
      if (m.contains("no space left")
          || m.contains("disk quota exceeded")
          || m.contains("not enough space")) {
        return true;
      }
    }
    return false;
  }

  private HubException diskFull(
      String label, RepoCache cache, RemoteFile remote, Path partial, IOException e) {
    long have = 0;
    try {
      have = Files.exists(partial) ? Files.size(partial) : 0;
    } catch (IOException ignored) {
      // the message below still says the total
    }
    long stillNeeded = remote.size() >= 0 ? Math.max(0, remote.size() - have) : -1;
    return new HubException(
        HubException.Kind.DISK_FULL,
        needsSpace(
            label, cache, stillNeeded, usableSpace.applyAsLong(cache.blobs()), e.getMessage()),
        e);
  }

  private static String needsSpace(
      String label, RepoCache cache, long needed, long free, String what) {
    return "disk full ("
        + what
        + ") while downloading "
        + label
        + " into "
        + cache.blobs()
        + ": it needs "
        + (needed >= 0 ? DownloadProgress.bytes(needed) : "more space")
        + " more, "
        + DownloadProgress.bytes(Math.max(0, free))
        + " is free. Free some space or point "
        + HubConfig.HF_HUB_CACHE
        + " to a larger disk; the part already downloaded is kept and resumed";
  }

  private void pause(int attempt) {
    if (attempt == MAX_ATTEMPTS) {
      return;
    }
    try {
      Thread.sleep(retryBackoff.toMillis() * attempt);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new HubException(
          HubException.Kind.DOWNLOAD_FAILED, "interrupted between download attempts", e);
    }
  }
}
