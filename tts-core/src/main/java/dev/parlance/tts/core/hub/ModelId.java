package dev.parlance.tts.core.hub;

import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * A model repository on the hub and a revision (branch, tag or commit hash), written {@code
 * org/name} or {@code org/name@revision}.
 *
 * @param repoId {@code org/name}
 * @param revision a branch, tag or 40-hex commit hash; {@code main} when not given
 */
public record ModelId(String repoId, String revision) {

  public static final String DEFAULT_REVISION = "main";

  // huggingface_hub.utils._validators.validate_repo_id, with the namespace made mandatory.
  private static final Pattern REPO_ID =
      Pattern.compile("[\\w][\\w.-]{0,95}/[\\w][\\w.-]{0,95}", Pattern.UNICODE_CHARACTER_CLASS);
  // git check-ref-format, roughly: no control characters, spaces, ~^:?*[\\, empty components.
  private static final Pattern GIT_REF =
      Pattern.compile("[^/\\s~^:?*\\[\\\\]+(/[^/\\s~^:?*\\[\\\\]+)*");
  private static final Pattern COMMIT_HASH = Pattern.compile("[0-9a-f]{40}");

  public ModelId {
    Objects.requireNonNull(repoId, "repoId");
    Objects.requireNonNull(revision, "revision");
    if (!REPO_ID.matcher(repoId).matches()
        || repoId.contains("--")
        || repoId.contains("..")
        || repoId.endsWith(".git")) {
      throw new IllegalArgumentException("not a model id of the form org/name: '" + repoId + "'");
    }
    if (!GIT_REF.matcher(revision).matches() || revision.contains("..")) {
      // also keeps refs/{revision} inside the cache
      throw new IllegalArgumentException("not a branch, tag or commit: '" + revision + "'");
    }
  }

  /**
   * Parses {@code org/name} or {@code org/name@revision}; empty when the text is not such an id.
   */
  public static Optional<ModelId> parse(String text) {
    int at = text.indexOf('@');
    String repo = at < 0 ? text : text.substring(0, at);
    String revision = at < 0 ? DEFAULT_REVISION : text.substring(at + 1);
    try {
      return Optional.of(new ModelId(repo, revision));
    } catch (IllegalArgumentException e) {
      return Optional.empty();
    }
  }

  /** True when the revision is a full commit hash (then the cache can answer without a request). */
  public boolean isCommitHash() {
    return COMMIT_HASH.matcher(revision).matches();
  }

  static boolean isCommitHash(String text) {
    return COMMIT_HASH.matcher(text).matches();
  }

  /** The repository's folder in the hub cache: {@code models--org--name}. */
  public String cacheFolderName() {
    return "models--" + repoId.replace("/", "--");
  }

  @Override
  public String toString() {
    return DEFAULT_REVISION.equals(revision) ? repoId : repoId + "@" + revision;
  }
}
