package dev.parlance.tts.core.hub;

import com.sun.net.httpserver.Headers;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * A loopback stand-in for huggingface.co that answers resolve URLs the way the hub does: small
 * files directly with {@code ETag} = git blob id, LFS files ({@code *.safetensors}, {@code
 * *.model}) with a 302 to a second server (the "CDN", another origin) carrying {@code
 * X-Linked-Etag} = sha256 and {@code X-Linked-Size}; {@code X-Repo-Commit} everywhere; {@code
 * X-Error-Code} on errors; range requests on the CDN. Faults can be injected into CDN responses.
 */
final class FakeHub implements AutoCloseable {
  static final String TOKEN = "hf_fake_token_for_tests";

  record Repo(String id, String commit, Map<String, byte[]> files, boolean gated) {}

  /** One request as the servers saw it. */
  record Request(
      String server,
      String method,
      String path,
      String query,
      String range,
      String authorization) {}

  private final HttpServer hub;
  private final HttpServer cdn;
  private final ExecutorService pool = Executors.newFixedThreadPool(16);
  private final Map<String, Repo> repos = new ConcurrentHashMap<>();
  private final Map<String, String> renamed = new ConcurrentHashMap<>();
  private final Map<String, byte[]> cdnBlobs = new ConcurrentHashMap<>();
  final List<Request> requests = Collections.synchronizedList(new ArrayList<>());

  // Faults for CDN GETs of the blob named faultBlob (a sha256).
  volatile String faultBlob = "";
  final AtomicInteger truncations = new AtomicInteger();
  volatile long truncateAt;
  final AtomicInteger stalls = new AtomicInteger();
  volatile long stallAt;
  volatile long stallMillis;
  volatile boolean corrupt;
  volatile long cdnDelayMillis;

  /** The next this-many CDN GETs of any blob answer 503. */
  final AtomicInteger cdnErrors = new AtomicInteger();

  /**
   * When set, CDN URLs are signed with the current epoch and older signatures get 403; a cut
   * connection (truncation fault) advances the epoch, as if the URL expired during the download.
   */
  volatile boolean signedUrls;

  private final AtomicInteger signatureEpoch = new AtomicInteger();

  /** The next this-many hub requests answer 500. */
  final AtomicInteger hubErrors = new AtomicInteger();

  FakeHub() throws IOException {
    InetSocketAddress loopback = new InetSocketAddress(InetAddress.getLoopbackAddress(), 0);
    hub = HttpServer.create(loopback, 0);
    cdn = HttpServer.create(loopback, 0);
    hub.createContext("/", ex -> handle(ex, this::resolve));
    cdn.createContext("/", ex -> handle(ex, this::serveBlob));
    hub.setExecutor(pool);
    cdn.setExecutor(pool);
    hub.start();
    cdn.start();
  }

  URI endpoint() {
    return URI.create("http://127.0.0.1:" + hub.getAddress().getPort());
  }

  int cdnPort() {
    return cdn.getAddress().getPort();
  }

  /** Serves the files of a directory (except the golden test outputs) as repository {@code id}. */
  Repo addRepo(String id, Path dir, boolean gated) throws IOException {
    return addRepo(id, checkpointFiles(dir), gated);
  }

  /** The files of a fixture checkpoint by name, without the golden test outputs. */
  static Map<String, byte[]> checkpointFiles(Path dir) throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    try (Stream<Path> s = Files.list(dir)) {
      for (Path p : s.sorted().toList()) {
        String name = p.getFileName().toString();
        if (!name.startsWith("golden")) {
          files.put(name, Files.readAllBytes(p));
        }
      }
    }
    return files;
  }

  Repo addRepo(String id, Map<String, byte[]> files, boolean gated) {
    Repo repo =
        new Repo(id, sha1Hex(("commit of " + id).getBytes(StandardCharsets.UTF_8)), files, gated);
    repos.put(id, repo);
    files.forEach((name, bytes) -> cdnBlobs.put(sha256Hex(bytes), bytes));
    return repo;
  }

  /** Requests to {@code oldId} get a relative redirect to {@code newId}, like a renamed repo. */
  void rename(String oldId, String newId) {
    renamed.put(oldId, newId);
  }

  static boolean isLfs(String file) {
    return file.endsWith(".safetensors") || file.endsWith(".model");
  }

  /** The cache blob name the hub announces for these bytes. */
  static String etagOf(String file, byte[] bytes) {
    return isLfs(file) ? sha256Hex(bytes) : gitBlobId(bytes);
  }

  List<Request> requests(String server, String method) {
    synchronized (requests) {
      return requests.stream()
          .filter(r -> r.server().equals(server) && r.method().equals(method))
          .toList();
    }
  }

  /** GETs of one file's bytes (hub for small files, CDN for LFS files). */
  List<Request> downloadsOf(Repo repo, String file) {
    byte[] bytes = repo.files().get(file);
    String path = isLfs(file) ? "/blobs/" + sha256Hex(bytes) : null;
    synchronized (requests) {
      return requests.stream()
          .filter(r -> r.method().equals("GET"))
          .filter(
              r ->
                  path != null
                      ? r.server().equals("cdn") && r.path().equals(path)
                      : r.server().equals("hub") && r.path().endsWith("/" + file))
          .toList();
    }
  }

  private interface Handler {
    void handle(HttpExchange ex) throws Exception;
  }

  private void handle(HttpExchange ex, Handler h) {
    try (ex) {
      h.handle(ex);
    } catch (IOException e) {
      // the client went away or a fault closed the stream on purpose
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static final Pattern RESOLVE = Pattern.compile("/([^/]+/[^/]+)/resolve/([^/]+)/(.+)");

  private void resolve(HttpExchange ex) throws IOException {
    String rawPath = ex.getRequestURI().getRawPath();
    record(ex, "hub");
    if (hubErrors.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      ex.sendResponseHeaders(500, -1);
      return;
    }
    Matcher m = RESOLVE.matcher(rawPath);
    if (!m.matches()) {
      error(ex, 404, "RepoNotFound", "no such route");
      return;
    }
    String id = m.group(1);
    if (renamed.containsKey(id)) {
      ex.getResponseHeaders()
          .set("Location", "/" + renamed.get(id) + "/resolve/" + m.group(2) + "/" + m.group(3));
      ex.sendResponseHeaders(307, -1);
      return;
    }
    Repo repo = repos.get(id);
    if (repo == null) {
      error(ex, 404, "RepoNotFound", "Repository not found");
      return;
    }
    if (repo.gated()) {
      String auth = ex.getRequestHeaders().getFirst("Authorization");
      if (auth == null) {
        error(ex, 401, "GatedRepo", "Access to model " + id + " is restricted.");
        return;
      }
      if (!auth.equals("Bearer " + TOKEN)) {
        error(ex, 403, "GatedRepo", "Access to model " + id + " is restricted.");
        return;
      }
    }
    String revision = URLDecoder.decode(m.group(2), StandardCharsets.UTF_8);
    if (!revision.equals("main") && !revision.equals(repo.commit())) {
      error(ex, 404, "RevisionNotFound", "Invalid rev id: " + revision);
      return;
    }
    String file = URLDecoder.decode(m.group(3), StandardCharsets.UTF_8);
    byte[] bytes = repo.files().get(file);
    Headers h = ex.getResponseHeaders();
    h.set("X-Repo-Commit", repo.commit());
    if (bytes == null) {
      error(ex, 404, "EntryNotFound", "Entry not found");
      return;
    }
    if (isLfs(file)) {
      String sha = sha256Hex(bytes);
      h.set("ETag", "\"" + gitBlobId(bytes) + "\"");
      h.set("X-Linked-Etag", "\"" + sha + "\"");
      h.set("X-Linked-Size", Long.toString(bytes.length));
      h.set(
          "Location",
          "http://127.0.0.1:" + cdnPort() + "/blobs/" + sha + "?signature=" + signatureEpoch.get());
      ex.sendResponseHeaders(302, -1);
      return;
    }
    h.set("ETag", "W/\"" + gitBlobId(bytes) + "\"");
    if (ex.getRequestMethod().equals("HEAD")) {
      h.set("Content-Length", Long.toString(bytes.length));
      ex.sendResponseHeaders(200, -1);
      return;
    }
    ex.sendResponseHeaders(200, bytes.length);
    try (OutputStream out = ex.getResponseBody()) {
      out.write(bytes);
    }
  }

  private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-");

  private void serveBlob(HttpExchange ex) throws Exception {
    record(ex, "cdn");
    String sha = ex.getRequestURI().getPath().replace("/blobs/", "");
    byte[] bytes = cdnBlobs.get(sha);
    if (bytes == null) {
      ex.sendResponseHeaders(404, -1);
      return;
    }
    if (cdnErrors.getAndUpdate(n -> Math.max(0, n - 1)) > 0) {
      ex.sendResponseHeaders(503, -1);
      return;
    }
    if (signedUrls
        && !("signature=" + signatureEpoch.get()).equals(ex.getRequestURI().getQuery())) {
      ex.sendResponseHeaders(403, -1);
      return;
    }
    if (cdnDelayMillis > 0) {
      Thread.sleep(cdnDelayMillis);
    }
    long start = 0;
    String range = ex.getRequestHeaders().getFirst("Range");
    if (range != null) {
      Matcher m = RANGE.matcher(range);
      if (!m.matches() || Long.parseLong(m.group(1)) >= bytes.length) {
        ex.getResponseHeaders().set("Content-Range", "bytes */" + bytes.length);
        ex.sendResponseHeaders(416, -1);
        return;
      }
      start = Long.parseLong(m.group(1));
      ex.getResponseHeaders()
          .set("Content-Range", "bytes " + start + "-" + (bytes.length - 1) + "/" + bytes.length);
    }
    boolean faulty = sha.equals(faultBlob);
    byte[] body = bytes.clone();
    if (faulty && corrupt) {
      body[body.length / 2] ^= 0x5a;
    }
    ex.sendResponseHeaders(range != null ? 206 : 200, bytes.length - start);
    OutputStream out = ex.getResponseBody();
    long end = bytes.length;
    long sleep = 0;
    if (faulty && truncateAt > start && truncations.getAndDecrement() > 0) {
      end = truncateAt;
    } else if (faulty && stallAt > start && stalls.getAndDecrement() > 0) {
      end = stallAt;
      sleep = stallMillis;
    }
    out.write(body, (int) start, (int) (end - start));
    out.flush();
    if (sleep > 0) {
      Thread.sleep(sleep);
    }
    if (end < bytes.length) {
      signatureEpoch.incrementAndGet();
      throw new IOException("fault injected: body cut at " + end); // closes the connection
    }
    out.close();
  }

  private void record(HttpExchange ex, String server) {
    requests.add(
        new Request(
            server,
            ex.getRequestMethod(),
            ex.getRequestURI().getPath(),
            ex.getRequestURI().getQuery(),
            ex.getRequestHeaders().getFirst("Range"),
            ex.getRequestHeaders().getFirst("Authorization")));
  }

  private static void error(HttpExchange ex, int status, String code, String message)
      throws IOException {
    ex.getResponseHeaders().set("X-Error-Code", code);
    ex.getResponseHeaders().set("X-Error-Message", message);
    ex.sendResponseHeaders(status, -1);
  }

  static String sha256Hex(byte[] bytes) {
    return digest("SHA-256", bytes);
  }

  static String sha1Hex(byte[] bytes) {
    return digest("SHA-1", bytes);
  }

  /** {@code git hash-object}: sha1 of "blob {size}\0" + content. */
  static String gitBlobId(byte[] bytes) {
    byte[] header = ("blob " + bytes.length + "\0").getBytes(StandardCharsets.UTF_8);
    byte[] all = new byte[header.length + bytes.length];
    System.arraycopy(header, 0, all, 0, header.length);
    System.arraycopy(bytes, 0, all, header.length, bytes.length);
    return sha1Hex(all);
  }

  private static String digest(String algorithm, byte[] bytes) {
    try {
      return HexFormat.of().formatHex(MessageDigest.getInstance(algorithm).digest(bytes));
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public void close() {
    hub.stop(0);
    cdn.stop(0);
    pool.shutdownNow();
    try {
      pool.awaitTermination(5, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  static Path fixture() {
    String dir = System.getProperty("tts.fixtures.dir", "../shared/fixtures/parler-tiny");
    Path p = Path.of(dir, "tiny-mini-v1-arch");
    if (!Files.isDirectory(p)) {
      throw new UncheckedIOException(new IOException("fixture checkpoint missing: " + p));
    }
    return p;
  }
}
