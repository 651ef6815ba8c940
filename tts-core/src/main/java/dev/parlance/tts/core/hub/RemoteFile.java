package dev.parlance.tts.core.hub;

import java.net.URI;
import java.util.regex.Pattern;

/**
 * What the hub says about one file at one revision (from the HEAD of its resolve URL).
 *
 * @param file path inside the repository
 * @param commit the commit the revision resolved to ({@code X-Repo-Commit})
 * @param etag {@code X-Linked-Etag} (LFS: sha256 of the content) or {@code ETag} (git blob id),
 *     without quotes; the blob's name in the cache
 * @param size {@code X-Linked-Size} or {@code Content-Length}; -1 when the hub sent neither
 * @param location where to GET the bytes (a CDN URL for LFS files)
 */
record RemoteFile(String file, String commit, String etag, long size, URI location) {
  private static final Pattern SHA256 = Pattern.compile("[0-9a-f]{64}");

  /** LFS files are named by the sha256 of their content, which the download is checked against. */
  boolean isSha256() {
    return SHA256.matcher(etag).matches();
  }
}
