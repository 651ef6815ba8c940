package dev.parlance.tts.core.hub;

import java.io.IOException;
import java.net.http.HttpResponse;

/**
 * An error answer of the hub, classified the way {@code huggingface_hub.utils.hf_raise_for_status}
 * does: by the {@code X-Error-Code} header first, then by the status.
 */
record HubError(int status, String code, String message) {

  static HubError of(HttpResponse<?> response) {
    return new HubError(
        response.statusCode(),
        response.headers().firstValue("X-Error-Code").orElse(""),
        response.headers().firstValue("X-Error-Message").orElse(""));
  }

  /** The repository and revision exist, the file does not (a plain 404 from a mirror counts). */
  boolean isEntryNotFound() {
    return status == 404 && (code.isEmpty() || "EntryNotFound".equals(code));
  }

  /**
   * Throws the {@link HubException} for answers the user must act on; returns an {@link
   * IOException} for transient ones (5xx, 429, anything unexpected), which the caller throws.
   *
   * @param id the model, or {@code null} for a request to the download (CDN) URL
   */
  IOException raise(ModelId id, String file, HubConfig config) {
    String detail = message.isEmpty() ? "" : " (hub says: " + message + ")";
    if (id == null) {
      // The hub already authorised this download; a CDN error is retried like a network error.
      return new IOException("HTTP " + status + " from the download URL of " + file + detail);
    }
    String what = id.repoId();
    String tokenHint =
        config.token().isPresent()
            ? "check that the token in " + HubConfig.HF_TOKEN + " has access to it"
            : "set "
                + HubConfig.HF_TOKEN
                + " to a read token (https://huggingface.co/settings/tokens)";
    if ("GatedRepo".equals(code)) {
      throw new HubException(
          HubException.Kind.ACCESS_DENIED,
          what
              + " is gated: accept its conditions at "
              + config.endpoint()
              + "/"
              + what
              + " while logged in, then "
              + (config.token().isPresent()
                  ? "check that " + HubConfig.HF_TOKEN + " belongs to that account"
                  : "set " + HubConfig.HF_TOKEN + " to a read token of that account")
              + detail);
    }
    if (status == 401 && message.contains("Invalid credentials")) {
      throw new HubException(
          HubException.Kind.ACCESS_DENIED,
          "the hub rejected the token in "
              + HubConfig.HF_TOKEN
              + " as invalid or expired"
              + detail);
    }
    if ("RevisionNotFound".equals(code)) {
      throw new HubException(
          HubException.Kind.REVISION_NOT_FOUND,
          "revision '"
              + id.revision()
              + "' of "
              + what
              + " not found: use an existing branch, tag or commit hash after '@'"
              + detail);
    }
    if ("RepoNotFound".equals(code) || status == 401 || status == 404) {
      throw new HubException(
          HubException.Kind.REPO_NOT_FOUND,
          "model repository "
              + what
              + " not found on "
              + config.endpoint()
              + ": check the id for typos; if it is private or gated, "
              + tokenHint
              + detail);
    }
    if (status == 401 || status == 403) {
      throw new HubException(
          HubException.Kind.ACCESS_DENIED,
          "access to "
              + what
              + " "
              + file
              + " denied (HTTP "
              + status
              + "): "
              + tokenHint
              + detail);
    }
    return new IOException("HTTP " + status + " for " + what + " " + file + detail);
  }
}
