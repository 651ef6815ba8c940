package dev.parlance.tts.core.hub;

/**
 * A model could not be resolved to a usable local checkpoint. The message says what to do; {@link
 * #kind()} tells callers (the server's startup, the CLI's exit code) which case it was.
 */
public final class HubException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /** Why resolution failed. */
  public enum Kind {
    /** The text is neither an existing directory nor {@code org/name[@revision]}. */
    INVALID_MODEL_ID,
    /** The hub does not know the repository (or hides a private one from this token). */
    REPO_NOT_FOUND,
    /** The repository has no such branch, tag or commit. */
    REVISION_NOT_FOUND,
    /** The repository is gated or private and the token is missing or lacks access. */
    ACCESS_DENIED,
    /** Offline (by choice or because the hub is unreachable) and the cache lacks the files. */
    NOT_CACHED,
    /** The checkpoint (on the hub or on disk) lacks a file the engine needs. */
    MISSING_FILE,
    /** The hub or the network failed, also after retries. */
    DOWNLOAD_FAILED,
    /** Downloaded bytes did not match the size or sha256 the hub announced. */
    VERIFICATION_FAILED,
    /** The disk holding the cache is (or would become) full. */
    DISK_FULL
  }

  private final Kind kind;

  public HubException(Kind kind, String message) {
    super(message);
    this.kind = kind;
  }

  public HubException(Kind kind, String message, Throwable cause) {
    super(message, cause);
    this.kind = kind;
  }

  public Kind kind() {
    return kind;
  }
}
