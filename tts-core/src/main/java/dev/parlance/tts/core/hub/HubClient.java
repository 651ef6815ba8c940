package dev.parlance.tts.core.hub;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodyHandlers;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The two hub requests we need, over {@code java.net.http}: HEAD of a resolve URL for a file's
 * metadata, and a (ranged) GET of its bytes into a file. Redirects are followed by hand: HEAD
 * follows those that stay on the hub (renamed repos) and stops at the redirect to the CDN, whose
 * response carries the {@code X-Linked-*} headers, like Python; GET follows all and sends the token
 * only to the hub's own origin.
 *
 * <p>Hub answers that mean "fix your input" become {@link HubException}s; anything transient
 * (network, timeouts, 5xx, 429) is an {@link IOException}, so the caller can retry or fall back to
 * the cache.
 */
final class HubClient {
  private static final int MAX_REDIRECTS = 10;
  private static final Pattern CONTENT_RANGE = Pattern.compile("bytes (\\d+)-\\d+/(\\d+|\\*)");
  private static final String USER_AGENT =
      "parlance-tts; java/" + System.getProperty("java.version");

  private final HubConfig config;
  private final HttpClient http;

  HubClient(HubConfig config) {
    this.config = config;
    this.http =
        HttpClient.newBuilder()
            .followRedirects(HttpClient.Redirect.NEVER)
            .connectTimeout(config.etagTimeout())
            .build();
  }

  /**
   * Metadata of {@code file} at {@code revision}; empty when the repository exists but has no such
   * file.
   */
  Optional<RemoteFile> head(ModelId id, String revision, String file) throws IOException {
    URI uri =
        URI.create(
            config.endpoint()
                + "/"
                + id.repoId()
                + "/resolve/"
                + URLEncoder.encode(revision, StandardCharsets.UTF_8)
                + "/"
                + encodePath(file));
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest request =
          request(uri, config.etagTimeout())
              .method("HEAD", HttpRequest.BodyPublishers.noBody())
              .header("Accept-Encoding", "identity")
              .build();
      HttpResponse<Void> response = send(request, BodyHandlers.discarding());
      int status = response.statusCode();
      HttpHeaders h = response.headers();
      if (isRedirect(status)) {
        String location = h.firstValue("Location").orElseThrow(() -> noLocation(request));
        URI next = redirect(uri, location);
        // Like huggingface_hub: follow redirects that stay on the hub (renamed repos); stop at one
        // to another host (the CDN): that response carries the X-Linked-* metadata.
        if (sameOrigin(next, uri) || h.firstValue("X-Repo-Commit").isEmpty() || etag(h).isEmpty()) {
          uri = next;
          continue;
        }
        return Optional.of(metadata(id, file, h, next, true));
      }
      if (status / 100 == 2) {
        return Optional.of(metadata(id, file, h, uri, false));
      }
      HubError error = HubError.of(response);
      if (status == 404 && error.isEntryNotFound()) {
        return Optional.empty();
      }
      throw error.raise(id, file, config);
    }
    throw new IOException("more than " + MAX_REDIRECTS + " redirects for " + file);
  }

  /**
   * Appends the missing bytes of {@code remote} to {@code partial} (a {@code Range} request when it
   * already holds some), following redirects. A stall longer than the download timeout aborts with
   * an {@link IOException}, as does a truncated body; the partial file keeps what arrived.
   *
   * @param digest fed with the whole file's bytes (kept prefix included), or {@code null}
   * @return whether {@code digest} saw the whole file (false when nothing had to be fetched)
   */
  boolean download(
      RemoteFile remote, Path partial, MessageDigest digest, DownloadProgressFactory progress)
      throws IOException {
    long have = Files.exists(partial) ? Files.size(partial) : 0;
    if (remote.size() >= 0 && have > remote.size()) {
      Files.delete(partial); // cannot be a prefix of the file: start over
      have = 0;
    }
    if (have == remote.size()) {
      if (have == 0) {
        Files.write(partial, new byte[0]);
      }
      return false; // complete already, e.g. a crash between download and rename: verify it
    }
    URI uri = remote.location();
    for (int hop = 0; hop <= MAX_REDIRECTS; hop++) {
      HttpRequest.Builder b = request(uri, config.downloadTimeout()).GET();
      if (have > 0) {
        b.header("Range", "bytes=" + have + "-");
      }
      HttpRequest request = b.build();
      HttpResponse<Flow.Publisher<List<ByteBuffer>>> response =
          send(request, BodyHandlers.ofPublisher());
      int status = response.statusCode();
      if (status != 200 && status != 206) {
        response.body().subscribe(new Discard());
      }
      if (isRedirect(status)) {
        uri =
            redirect(
                uri,
                response.headers().firstValue("Location").orElseThrow(() -> noLocation(request)));
        continue;
      }
      if (status == 416) {
        Files.deleteIfExists(partial); // our partial file does not match: restart next attempt
        throw new IOException("server refused range bytes=" + have + "- of " + remote.file());
      }
      if (status != 200 && status != 206) {
        throw HubError.of(response).raise(null, remote.file(), config);
      }
      long start = 0;
      if (status == 206) {
        Matcher m =
            CONTENT_RANGE.matcher(response.headers().firstValue("Content-Range").orElse(""));
        if (!m.matches() || Long.parseLong(m.group(1)) != have) {
          response.body().subscribe(new Discard());
          Files.deleteIfExists(partial);
          throw new IOException("unexpected Content-Range for " + remote.file());
        }
        start = have;
      }
      DownloadProgress p = progress.create(remote, have);
      if (start == 0 && have > 0) {
        p.restart(); // the server ignored our range and sends everything
      }
      FileChannel channel;
      try {
        channel = FileChannel.open(partial, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
      } catch (IOException e) {
        response.body().subscribe(new Discard());
        throw e;
      }
      try (FileChannel out = channel) {
        out.truncate(start);
        out.position(start);
        if (digest != null) {
          digest.reset();
          Sha256.update(digest, partial, start); // the part kept from an earlier attempt
        }
        FileSink sink = new FileSink(out, digest, p);
        response.body().subscribe(sink);
        sink.await(config.downloadTimeout(), remote.file());
      }
      long size = Files.size(partial);
      if (remote.size() >= 0 && size < remote.size()) {
        throw new IOException(
            "connection closed after " + size + " of " + remote.size() + " bytes of " + remote);
      }
      p.finish();
      return true;
    }
    throw new IOException("more than " + MAX_REDIRECTS + " redirects for " + remote.file());
  }

  /** Builds the progress reporter once the download's starting point is known. */
  interface DownloadProgressFactory {
    DownloadProgress create(RemoteFile remote, long alreadyPresent);
  }

  private HttpRequest.Builder request(URI uri, java.time.Duration timeout) {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(uri).timeout(timeout).header("User-Agent", USER_AGENT);
    if (config.token().isPresent() && sameOrigin(uri, config.endpoint())) {
      b.header("Authorization", "Bearer " + config.token().get());
    }
    return b;
  }

  private <T> HttpResponse<T> send(HttpRequest request, HttpResponse.BodyHandler<T> handler)
      throws IOException {
    try {
      return http.send(request, handler);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new InterruptedIOException("interrupted while requesting " + request.uri());
    }
  }

  private RemoteFile metadata(
      ModelId id, String file, HttpHeaders h, URI location, boolean redirected) throws IOException {
    String commit =
        h.firstValue("X-Repo-Commit")
            .orElseThrow(
                () ->
                    new HubException(
                        HubException.Kind.DOWNLOAD_FAILED,
                        config.endpoint()
                            + " sent no X-Repo-Commit header for "
                            + id
                            + " "
                            + file
                            + ": is "
                            + HubConfig.HF_ENDPOINT
                            + " a Hugging Face hub (or a mirror that keeps its headers)?"));
    String etag =
        etag(h)
            .orElseThrow(
                () ->
                    new HubException(
                        HubException.Kind.DOWNLOAD_FAILED,
                        config.endpoint() + " sent no ETag for " + id + " " + file));
    if (!ModelId.isCommitHash(commit) || !etag.matches("[A-Za-z0-9._-]+")) {
      throw new IOException("malformed X-Repo-Commit/ETag from " + location + " for " + file);
    }
    // a redirect's Content-Length is that of its own (empty) body
    long size =
        h.firstValueAsLong("X-Linked-Size")
            .orElse(redirected ? -1 : h.firstValueAsLong("Content-Length").orElse(-1));
    return new RemoteFile(file, commit, etag, size, location);
  }

  /** {@code huggingface_hub.file_download._normalize_etag}: drop {@code W/} and the quotes. */
  private static Optional<String> etag(HttpHeaders h) {
    return h.firstValue("X-Linked-Etag")
        .or(() -> h.firstValue("ETag"))
        .map(e -> e.startsWith("W/") ? e.substring(2) : e)
        .map(e -> e.replace("\"", "").trim())
        .filter(e -> !e.isEmpty());
  }

  private static boolean isRedirect(int status) {
    return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
  }

  private static URI redirect(URI from, String location) throws IOException {
    try {
      return from.resolve(location);
    } catch (IllegalArgumentException e) {
      throw new IOException("malformed redirect Location '" + location + "' from " + from, e);
    }
  }

  private static IOException noLocation(HttpRequest request) {
    return new IOException("redirect without Location from " + request.uri());
  }

  private static boolean sameOrigin(URI a, URI b) {
    return Objects.equals(a.getScheme(), b.getScheme())
        && Objects.equals(
            a.getHost() == null ? null : a.getHost().toLowerCase(Locale.ROOT),
            b.getHost() == null ? null : b.getHost().toLowerCase(Locale.ROOT))
        && port(a) == port(b);
  }

  private static int port(URI u) {
    return u.getPort() >= 0 ? u.getPort() : "https".equals(u.getScheme()) ? 443 : 80;
  }

  private static String encodePath(String file) {
    StringBuilder sb = new StringBuilder();
    for (String segment : file.split("/")) {
      if (sb.length() > 0) {
        sb.append('/');
      }
      sb.append(URLEncoder.encode(segment, StandardCharsets.UTF_8).replace("+", "%20"));
    }
    return sb.toString();
  }

  /** Writes the body to the file as it arrives; notices stalls, which the JDK client does not. */
  private static final class FileSink implements Flow.Subscriber<List<ByteBuffer>> {
    private final FileChannel out;
    private final MessageDigest digest;
    private final DownloadProgress progress;
    private final CompletableFuture<Void> done = new CompletableFuture<>();
    private volatile Flow.Subscription subscription;
    private volatile long lastActivity = System.nanoTime();

    FileSink(FileChannel out, MessageDigest digest, DownloadProgress progress) {
      this.out = out;
      this.digest = digest;
      this.progress = progress;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
      subscription = s;
      s.request(1);
    }

    @Override
    public void onNext(List<ByteBuffer> buffers) {
      try {
        for (ByteBuffer b : buffers) {
          int n = b.remaining();
          if (digest != null) {
            digest.update(b.duplicate());
          }
          while (b.hasRemaining()) {
            out.write(b);
          }
          progress.advance(n);
        }
        lastActivity = System.nanoTime();
        subscription.request(1);
      } catch (IOException | RuntimeException e) {
        subscription.cancel();
        done.completeExceptionally(e);
      }
    }

    @Override
    public void onError(Throwable t) {
      done.completeExceptionally(t);
    }

    @Override
    public void onComplete() {
      done.complete(null);
    }

    void await(java.time.Duration idleTimeout, String file) throws IOException {
      long idle = idleTimeout.toNanos();
      while (true) {
        try {
          done.get(Math.min(idle, TimeUnit.SECONDS.toNanos(1)), TimeUnit.NANOSECONDS);
          return;
        } catch (TimeoutException e) {
          if (System.nanoTime() - lastActivity > idle) {
            Flow.Subscription s = subscription;
            if (s != null) {
              s.cancel();
            }
            throw new IOException(
                "no data for " + idleTimeout.toSeconds() + " s while downloading " + file);
          }
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
          Flow.Subscription s = subscription;
          if (s != null) {
            s.cancel();
          }
          throw new InterruptedIOException("interrupted while downloading " + file);
        } catch (ExecutionException e) {
          Throwable cause = e.getCause();
          if (cause instanceof IOException) {
            throw (IOException) cause;
          }
          throw new IOException("download of " + file + " failed: " + cause, cause);
        }
      }
    }
  }

  /** Drains nothing: cancels a body we do not want so the connection is released. */
  private static final class Discard implements Flow.Subscriber<List<ByteBuffer>> {
    @Override
    public void onSubscribe(Flow.Subscription s) {
      s.cancel();
    }

    @Override
    public void onNext(List<ByteBuffer> item) {}

    @Override
    public void onError(Throwable t) {}

    @Override
    public void onComplete() {}
  }
}
