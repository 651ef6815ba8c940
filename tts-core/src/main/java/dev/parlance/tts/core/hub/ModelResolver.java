package dev.parlance.tts.core.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.ToLongFunction;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Turns what a user configures as the model ({@code TTS_MODEL_NAME}, a CLI argument, a library
 * call) into a local checkpoint directory. The library, the CLI and the server all use this class.
 *
 * <p>Rules, in order:
 *
 * <ol>
 *   <li>An existing directory is used as it is (after checking it has the files the engine needs).
 *   <li>Otherwise the text must be {@code org/name} or {@code org/name@revision}.
 *   <li>Offline ({@link HubConfig#offline()}): the snapshot {@code refs/<revision>} points to in
 *       the hub cache, without any request; a commit-hash revision that is fully cached is also
 *       answered without a request.
 *   <li>Online: HEAD each needed file's resolve URL (at the commit the revision resolves to),
 *       download blobs the cache lacks, link the snapshot, update {@code refs/<revision>}. If the
 *       hub cannot be reached, fall back to the cache as offline mode would.
 * </ol>
 *
 * <p>The cache is the one {@code huggingface_hub} uses, so Python tools and this class share
 * downloads in both directions. Instances are thread-safe; concurrent resolutions of the same model
 * download each file once.
 */
public final class ModelResolver {
  private static final Logger log = LoggerFactory.getLogger(ModelResolver.class);

  private final HubConfig config;
  private final HubClient client;
  private final BlobFetcher fetcher;

  /** A resolver for the given configuration. */
  public ModelResolver(HubConfig config) {
    this(
        config,
        ModelResolver::usableSpace,
        DownloadProgress.DEFAULT_INTERVAL,
        Duration.ofSeconds(1));
  }

  // Tests shrink the free-space probe, the progress interval and the retry pause.
  ModelResolver(
      HubConfig config,
      ToLongFunction<Path> usableSpace,
      Duration progressInterval,
      Duration retryBackoff) {
    this.config = Objects.requireNonNull(config, "config");
    this.client = new HubClient(config);
    this.fetcher = new BlobFetcher(client, usableSpace, progressInterval, retryBackoff);
  }

  /** A resolver configured from {@code HF_*} environment variables ({@link HubConfig}). */
  public static ModelResolver fromEnvironment() {
    return new ModelResolver(HubConfig.fromEnvironment());
  }

  public HubConfig config() {
    return config;
  }

  /**
   * Resolves a Parler-TTS checkpoint ({@link CheckpointFiles#PARLER_TTS}).
   *
   * @param modelIdOrPath a checkpoint directory, {@code org/name} or {@code org/name@revision}
   * @return a directory holding at least the checkpoint's required files (in the hub cache: {@code
   *     .../models--org--name/snapshots/<commit>})
   * @throws HubException with a {@link HubException.Kind} and a message saying what to do
   */
  public Path resolve(String modelIdOrPath) {
    return resolve(modelIdOrPath, CheckpointFiles.PARLER_TTS);
  }

  /**
   * Resolves a tokenizer-only repository ({@link CheckpointFiles#TOKENIZER}), e.g. mini-v1.1's
   * description tokenizer {@code google/flan-t5-large}.
   */
  public Path resolveTokenizer(String modelIdOrPath) {
    return resolve(modelIdOrPath, CheckpointFiles.TOKENIZER);
  }

  /** Resolves a checkpoint made of the given files; see the class documentation for the rules. */
  public Path resolve(String modelIdOrPath, CheckpointFiles files) {
    Objects.requireNonNull(modelIdOrPath, "modelIdOrPath");
    Objects.requireNonNull(files, "files");
    String text = modelIdOrPath.trim();
    Optional<Path> dir = asPath(text).filter(Files::isDirectory);
    if (dir.isPresent()) {
      return checkDirectory(dir.get(), files);
    }
    Optional<ModelId> id = ModelId.parse(text);
    if (id.isEmpty()) {
      throw new HubException(
          HubException.Kind.INVALID_MODEL_ID,
          looksLikePath(text)
              ? "model directory " + text + " does not exist"
              : "'"
                  + text
                  + "' is neither an existing directory nor a model id of the form"
                  + " org/name or org/name@revision (e.g. parler-tts/parler-tts-mini-v1)");
    }
    try {
      return resolveFromHub(id.get(), files);
    } catch (IOException e) {
      if (BlobFetcher.isDiskFull(e)) {
        throw new HubException(
            HubException.Kind.DISK_FULL,
            "disk full writing to the hub cache "
                + config.cacheDir()
                + ": free some space or point "
                + HubConfig.HF_HUB_CACHE
                + " to a larger disk",
            e);
      }
      throw new HubException(
          HubException.Kind.DOWNLOAD_FAILED,
          "cannot use the hub cache "
              + config.cacheDir()
              + " for "
              + id.get()
              + " ("
              + e
              + "): check that the directory is writable or set "
              + HubConfig.HF_HUB_CACHE,
          e);
    }
  }

  private Path resolveFromHub(ModelId id, CheckpointFiles files) throws IOException {
    RepoCache cache = new RepoCache(config.cacheDir(), id);
    if (config.offline()) {
      return cached(id, files, cache, HubConfig.HF_HUB_OFFLINE + " is set");
    }
    if (id.isCommitHash()) {
      Path snapshot = cache.snapshot(id.revision());
      if (files.missingIn(snapshot).isEmpty()) {
        return snapshot; // a commit never changes: nothing to ask the hub
      }
    }
    try {
      return download(id, files, cache);
    } catch (Unreachable e) {
      log.warn("Cannot reach {} ({}); looking for {} in the cache", config.endpoint(), e, id);
      return cached(
          id, files, cache, "the hub at " + config.endpoint() + " cannot be reached (" + e + ")");
    }
  }

  private Path download(ModelId id, CheckpointFiles files, RepoCache cache) throws IOException {
    // The first request pins the revision to a commit; every later one asks for that commit, so
    // a push during the download cannot mix files of two commits.
    String firstFile = files.required().get(0);
    RemoteFile first =
        head(id, id.revision(), firstFile).orElseThrow(() -> missingOnHub(id, firstFile));
    String commit = first.commit();
    cache.writeRef(id.revision(), commit);
    Session s = new Session(id, cache, commit);
    s.get(first);
    for (String f : files.required().subList(1, files.required().size())) {
      s.get(head(id, commit, f).orElseThrow(() -> missingOnHub(id, f)));
    }
    for (String f : files.optional()) {
      s.getOptional(f);
    }
    if (files.weights() && !s.getOptional(CheckpointFiles.WEIGHTS)) {
      RemoteFile index =
          head(id, commit, CheckpointFiles.WEIGHTS_INDEX)
              .orElseThrow(
                  () ->
                      missingOnHub(
                          id, CheckpointFiles.WEIGHTS + " or " + CheckpointFiles.WEIGHTS_INDEX));
      for (String shard : CheckpointFiles.shards(s.get(index))) {
        s.get(head(id, commit, shard).orElseThrow(() -> missingOnHub(id, shard)));
      }
    }
    Path snapshot = cache.snapshot(commit);
    log.info(
        "Model {} is {} (commit {}{})",
        id,
        snapshot,
        commit,
        s.downloaded == 0 ? ", all files were cached" : ", downloaded " + s.downloaded + " files");
    return snapshot;
  }

  /** The files of one resolution, all at one commit. */
  private final class Session {
    final ModelId id;
    final RepoCache cache;
    final String commit;
    int downloaded;

    Session(ModelId id, RepoCache cache, String commit) {
      this.id = id;
      this.cache = cache;
      this.commit = commit;
    }

    Path get(RemoteFile remote) throws IOException {
      Path pointer = cache.pointer(commit, remote.file());
      if (Files.exists(pointer)) {
        return pointer;
      }
      BlobFetcher.Refresh refresh =
          () ->
              client
                  .head(id, commit, remote.file())
                  .orElseThrow(() -> new IOException(remote.file() + " disappeared"));
      if (fetcher.fetch(id, cache, remote, refresh)) {
        downloaded++;
      }
      return cache.link(remote.etag(), commit, remote.file());
    }

    /** Downloads the file if the repository has it; remembers its absence like Python. */
    boolean getOptional(String file) throws IOException {
      Optional<RemoteFile> remote = head(id, commit, file);
      if (remote.isEmpty()) {
        cache.markMissing(commit, file);
        return false;
      }
      get(remote.get());
      return true;
    }
  }

  private Optional<RemoteFile> head(ModelId id, String revision, String file) throws IOException {
    try {
      return client.head(id, revision, file);
    } catch (HubException e) {
      throw e;
    } catch (IOException e) {
      if (Thread.currentThread().isInterrupted()) {
        throw new HubException(
            HubException.Kind.DOWNLOAD_FAILED, "interrupted while resolving " + id, e);
      }
      throw new Unreachable(e);
    }
  }

  private Path cached(ModelId id, CheckpointFiles files, RepoCache cache, String reason)
      throws IOException {
    String hint =
        " Run once with network access (and without "
            + HubConfig.HF_HUB_OFFLINE
            + ") to download it, copy a hub cache that holds it into "
            + HubConfig.HF_HUB_CACHE
            + " (now "
            + config.cacheDir()
            + "), or give a local checkpoint directory instead of the id.";
    Optional<String> commit = cache.commitFor(id.revision());
    if (commit.isEmpty()) {
      throw new HubException(
          HubException.Kind.NOT_CACHED, id + " is not in the hub cache and " + reason + "." + hint);
    }
    Path snapshot = cache.snapshot(commit.get());
    List<String> missing = files.missingIn(snapshot);
    if (!missing.isEmpty()) {
      throw new HubException(
          HubException.Kind.NOT_CACHED,
          "the cached snapshot of "
              + id
              + " ("
              + snapshot
              + ") lacks "
              + String.join(", ", missing)
              + " and "
              + reason
              + "."
              + hint);
    }
    log.info("Model {} is {} (from the cache: {})", id, snapshot, reason);
    return snapshot;
  }

  private Path checkDirectory(Path dir, CheckpointFiles files) {
    List<String> missing = files.missingIn(dir);
    if (!missing.isEmpty()) {
      throw new HubException(
          HubException.Kind.MISSING_FILE,
          "checkpoint directory "
              + dir
              + " lacks "
              + String.join(", ", missing)
              + ": copy them from the model's repository, or give the model id (org/name) to"
              + " download it");
    }
    log.info("Model is the local directory {}", dir.toAbsolutePath().normalize());
    return dir.toAbsolutePath().normalize();
  }

  private HubException missingOnHub(ModelId id, String file) {
    return new HubException(
        HubException.Kind.MISSING_FILE,
        id
            + " has no "
            + file
            + " on "
            + config.endpoint()
            + ": it is not a Parler-TTS checkpoint in the Hugging Face format (or this revision"
            + " predates it); pick another model or revision");
  }

  private static Optional<Path> asPath(String text) {
    if (text.isEmpty()) {
      return Optional.empty();
    }
    try {
      if (text.equals("~") || text.startsWith("~/")) {
        return Optional.of(Path.of(System.getProperty("user.home") + text.substring(1)));
      }
      return Optional.of(Path.of(text));
    } catch (InvalidPathException e) {
      return Optional.empty();
    }
  }

  private static boolean looksLikePath(String text) {
    return text.startsWith("/")
        || text.startsWith(".")
        || text.startsWith("~")
        || text.contains("\\")
        || text.chars().filter(c -> c == '/').count() > 1;
  }

  private static long usableSpace(Path dir) {
    try {
      return Files.getFileStore(dir).getUsableSpace();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot query free space of " + dir, e);
    }
  }

  /** The hub could not be reached for metadata: the cache may still answer. */
  private static final class Unreachable extends IOException {
    private static final long serialVersionUID = 1L;

    Unreachable(IOException cause) {
      super(cause.toString(), cause);
    }
  }
}
