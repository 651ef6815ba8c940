package dev.parlance.tts.core.hub;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(value = 60, unit = TimeUnit.SECONDS)
class ModelResolverTest {
  private static final String REPO = "parler-test/tiny-mini-v1";
  private static final String WEIGHTS = "model.safetensors";

  @TempDir Path tmp;
  private Path cacheDir;
  private FakeHub hub;
  private FakeHub.Repo repo;

  @BeforeEach
  void startHub() throws IOException {
    cacheDir = tmp.resolve("hf/hub");
    hub = new FakeHub();
    Map<String, byte[]> files = FakeHub.checkpointFiles(FakeHub.fixture());
    files.put("training_state.bin", new byte[] {1, 2, 3}); // in the repo, never needed
    repo = hub.addRepo(REPO, files, false);
    hub.faultBlob = FakeHub.sha256Hex(files.get(WEIGHTS));
  }

  @AfterEach
  void stopHub() {
    hub.close();
  }

  private HubConfig config() {
    return new HubConfig(
        cacheDir,
        hub.endpoint(),
        Optional.empty(),
        false,
        Duration.ofSeconds(5),
        Duration.ofSeconds(5));
  }

  private static ModelResolver resolver(HubConfig config) {
    return new ModelResolver(config, dir -> Long.MAX_VALUE, Duration.ofMillis(20), Duration.ZERO);
  }

  private Path repoRoot(String id) {
    return cacheDir.resolve("models--" + id.replace("/", "--"));
  }

  @Test
  void downloadsOnlyTheNeededFilesIntoThePythonCacheLayout() throws IOException {
    Path snapshot = resolver(config()).resolve(REPO);

    Path root = repoRoot(REPO);
    assertEquals(root.resolve("snapshots").resolve(repo.commit()), snapshot);
    assertEquals(repo.commit(), Files.readString(root.resolve("refs/main"))); // no newline
    Set<String> expectedBlobs = new HashSet<>();
    for (Map.Entry<String, byte[]> f : repo.files().entrySet()) {
      Path pointer = snapshot.resolve(f.getKey());
      if (f.getKey().equals("training_state.bin")) {
        assertFalse(Files.exists(pointer, LinkOption.NOFOLLOW_LINKS));
        continue;
      }
      String etag = FakeHub.etagOf(f.getKey(), f.getValue());
      expectedBlobs.add(etag);
      assertTrue(Files.isSymbolicLink(pointer), f.getKey());
      assertEquals(Path.of("..", "..", "blobs", etag), Files.readSymbolicLink(pointer));
      assertArrayEquals(f.getValue(), Files.readAllBytes(pointer), f.getKey());
    }
    assertEquals(expectedBlobs, list(root.resolve("blobs")));
    assertEquals(8, expectedBlobs.size());
    // LFS files are named by sha256, the others by git blob id, exactly as Python names them
    assertEquals(
        FakeHub.sha256Hex(repo.files().get(WEIGHTS)),
        Files.readSymbolicLink(snapshot.resolve(WEIGHTS)).getFileName().toString());
    // absent optional file remembered like huggingface_hub does
    assertTrue(
        Files.isRegularFile(
            root.resolve(".no_exist").resolve(repo.commit()).resolve("tokenizer.model")));
    assertTrue(
        Files.isRegularFile(
            cacheDir
                .resolve(".locks/models--parler-test--tiny-mini-v1")
                .resolve(FakeHub.sha256Hex(repo.files().get(WEIGHTS)) + ".lock")));
    assertTrue(hub.downloadsOf(repo, "training_state.bin").isEmpty());
    assertTrue(
        hub.requests.stream().noneMatch(r -> r.path().endsWith("training_state.bin")),
        "unneeded files are not even asked for");
    assertEquals(1, hub.downloadsOf(repo, WEIGHTS).size());
  }

  @Test
  void secondResolutionOnlyAsksForMetadata() {
    ModelResolver resolver = resolver(config());
    Path first = resolver.resolve(REPO);
    hub.requests.clear();

    assertEquals(first, resolver.resolve(REPO));
    assertTrue(hub.requests("hub", "GET").isEmpty());
    assertTrue(hub.requests("cdn", "GET").isEmpty());
    assertFalse(hub.requests("hub", "HEAD").isEmpty());
  }

  @Test
  void offlineModeResolvesFromTheCacheWithoutAnyRequest() {
    Path online = resolver(config()).resolve(REPO);
    hub.requests.clear();

    HubConfig offline =
        HubConfig.fromEnvironment(
            Map.of(
                "HF_HOME", tmp.toString(),
                "HF_HUB_CACHE", cacheDir.toString(),
                "HF_ENDPOINT", hub.endpoint().toString(),
                "HF_HUB_OFFLINE", "1"));
    assertTrue(offline.offline());
    assertEquals(online, new ModelResolver(offline).resolve(REPO));
    assertEquals(online, new ModelResolver(offline).resolve(REPO + "@" + repo.commit()));
    assertTrue(hub.requests.isEmpty(), hub.requests.toString());
  }

  @Test
  void offlineAndNotCachedSaysWhatToDo() {
    HubException e =
        assertThrows(HubException.class, () -> resolver(config().withOffline(true)).resolve(REPO));
    assertEquals(HubException.Kind.NOT_CACHED, e.kind());
    assertTrue(e.getMessage().contains(REPO), e.getMessage());
    assertTrue(e.getMessage().contains("HF_HUB_OFFLINE"), e.getMessage());
    assertTrue(e.getMessage().contains(cacheDir.toString()), e.getMessage());
    assertTrue(hub.requests.isEmpty());
  }

  @Test
  void unreachableHubFallsBackToTheCache() throws IOException {
    Path online = resolver(config()).resolve(REPO);
    HubConfig dead = config().withEndpoint(closedPort());

    assertEquals(online, resolver(dead).resolve(REPO));

    HubException e =
        assertThrows(HubException.class, () -> resolver(dead).resolve("parler-test/other"));
    assertEquals(HubException.Kind.NOT_CACHED, e.kind());
    assertTrue(e.getMessage().contains("cannot be reached"), e.getMessage());
  }

  @Test
  void hubServerErrorsFallBackToTheCache() {
    hub.hubErrors.set(1_000);
    HubException e = assertThrows(HubException.class, () -> resolver(config()).resolve(REPO));
    assertEquals(HubException.Kind.NOT_CACHED, e.kind());
    assertTrue(e.getMessage().contains("HTTP 500"), e.getMessage());

    hub.hubErrors.set(0);
    Path online = resolver(config()).resolve(REPO);
    hub.hubErrors.set(1_000);
    assertEquals(online, resolver(config()).resolve(REPO));
  }

  @Test
  void transientCdnErrorsAreRetried() throws IOException {
    hub.cdnErrors.set(1);

    Path snapshot = resolver(config()).resolve(REPO);

    assertArrayEquals(repo.files().get(WEIGHTS), Files.readAllBytes(snapshot.resolve(WEIGHTS)));
    assertArrayEquals(
        repo.files().get("spiece.model"), Files.readAllBytes(snapshot.resolve("spiece.model")));
    assertEquals(3, hub.requests("cdn", "GET").size(), "one failed GET, then one per LFS file");
  }

  @Test
  void reusesACacheWrittenByPython() throws IOException {
    // Built by hand the way huggingface_hub writes it: blobs named by etag, relative symlinks,
    // refs/main holding the commit without a newline.
    Path root = repoRoot(REPO);
    Path snapshot = root.resolve("snapshots").resolve(repo.commit());
    Files.createDirectories(root.resolve("blobs"));
    Files.createDirectories(snapshot);
    Files.createDirectories(root.resolve("refs"));
    Files.writeString(root.resolve("refs/main"), repo.commit());
    for (Map.Entry<String, byte[]> f : repo.files().entrySet()) {
      if (!f.getKey().endsWith(".bin")) {
        String etag = FakeHub.etagOf(f.getKey(), f.getValue());
        Files.write(root.resolve("blobs").resolve(etag), f.getValue());
        Files.createSymbolicLink(snapshot.resolve(f.getKey()), Path.of("../../blobs/" + etag));
      }
    }

    assertEquals(snapshot, resolver(config().withOffline(true)).resolve(REPO));
    assertTrue(hub.requests.isEmpty());

    assertEquals(snapshot, resolver(config()).resolve(REPO));
    assertTrue(hub.requests("hub", "GET").isEmpty(), "nothing downloaded twice");
    assertTrue(hub.requests("cdn", "GET").isEmpty(), "nothing downloaded twice");

    hub.requests.clear();
    assertEquals(snapshot, resolver(config()).resolve(REPO + "@" + repo.commit()));
    assertTrue(hub.requests.isEmpty(), "a cached commit needs no request");
  }

  @Test
  void resumesAfterTheConnectionDrops() throws IOException {
    hub.truncations.set(1);
    hub.truncateAt = 200_000;

    Path snapshot = resolver(config()).resolve(REPO);

    assertArrayEquals(repo.files().get(WEIGHTS), Files.readAllBytes(snapshot.resolve(WEIGHTS)));
    List<FakeHub.Request> gets = hub.downloadsOf(repo, WEIGHTS);
    assertEquals(2, gets.size(), gets.toString());
    assertNull(gets.get(0).range());
    assertEquals("bytes=200000-", gets.get(1).range());
  }

  @Test
  void anExpiredDownloadUrlIsRefreshedBeforeResuming() throws IOException {
    hub.signedUrls = true;
    hub.truncations.set(1);
    hub.truncateAt = 200_000;

    Path snapshot = resolver(config()).resolve(REPO);

    assertArrayEquals(repo.files().get(WEIGHTS), Files.readAllBytes(snapshot.resolve(WEIGHTS)));
    List<FakeHub.Request> gets = hub.downloadsOf(repo, WEIGHTS);
    assertEquals(2, gets.size(), gets.toString());
    assertEquals("signature=0", gets.get(0).query());
    assertEquals("signature=1", gets.get(1).query());
    assertEquals("bytes=200000-", gets.get(1).range());
  }

  @Test
  void resumesAnIncompleteFileLeftByACrashedProcess() throws IOException {
    byte[] weights = repo.files().get(WEIGHTS);
    String sha = FakeHub.sha256Hex(weights);
    Path blobs = Files.createDirectories(repoRoot(REPO).resolve("blobs"));
    Files.write(blobs.resolve(sha + ".incomplete"), Arrays.copyOf(weights, 300_000));

    Path snapshot = resolver(config()).resolve(REPO);

    assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve(WEIGHTS)));
    List<FakeHub.Request> gets = hub.downloadsOf(repo, WEIGHTS);
    assertEquals(1, gets.size());
    assertEquals("bytes=300000-", gets.get(0).range());
    assertFalse(Files.exists(blobs.resolve(sha + ".incomplete")));
  }

  @Test
  void aCompleteFileLeftBeforeItsRenameIsVerifiedNotDownloaded() throws IOException {
    byte[] weights = repo.files().get(WEIGHTS);
    Path blobs = Files.createDirectories(repoRoot(REPO).resolve("blobs"));
    Files.write(blobs.resolve(FakeHub.sha256Hex(weights) + ".incomplete"), weights);

    Path snapshot = resolver(config()).resolve(REPO);

    assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve(WEIGHTS)));
    assertTrue(hub.downloadsOf(repo, WEIGHTS).isEmpty());
  }

  @Test
  void aCorruptPartialFileIsDiscardedAndDownloadedAgain() throws IOException {
    byte[] weights = repo.files().get(WEIGHTS);
    String sha = FakeHub.sha256Hex(weights);
    Path blobs = Files.createDirectories(repoRoot(REPO).resolve("blobs"));
    Files.write(blobs.resolve(sha + ".incomplete"), new byte[300_000]); // zeros, not the prefix

    Path snapshot = resolver(config()).resolve(REPO);

    assertArrayEquals(weights, Files.readAllBytes(snapshot.resolve(WEIGHTS)));
    List<FakeHub.Request> gets = hub.downloadsOf(repo, WEIGHTS);
    assertEquals(2, gets.size());
    assertEquals("bytes=300000-", gets.get(0).range());
    assertNull(gets.get(1).range());
  }

  @Test
  void rejectsACorruptedDownload() throws IOException {
    hub.corrupt = true;

    HubException e = assertThrows(HubException.class, () -> resolver(config()).resolve(REPO));

    assertEquals(HubException.Kind.VERIFICATION_FAILED, e.kind());
    assertTrue(e.getMessage().contains("sha256"), e.getMessage());
    String sha = FakeHub.sha256Hex(repo.files().get(WEIGHTS));
    Path root = repoRoot(REPO);
    assertFalse(Files.exists(root.resolve("blobs").resolve(sha)));
    assertFalse(Files.exists(root.resolve("blobs").resolve(sha + ".incomplete")));
    assertFalse(Files.exists(root.resolve("snapshots").resolve(repo.commit()).resolve(WEIGHTS)));
    assertEquals(BlobFetcher.MAX_VERIFY_FAILURES, hub.downloadsOf(repo, WEIGHTS).size());
  }

  @Test
  void aStalledDownloadIsAbortedAndResumed() throws IOException {
    hub.stalls.set(1);
    hub.stallAt = 100_000;
    hub.stallMillis = 4_000;
    HubConfig config = config().withTimeouts(Duration.ofSeconds(5), Duration.ofSeconds(1));

    Path snapshot = resolver(config).resolve(REPO);

    assertArrayEquals(repo.files().get(WEIGHTS), Files.readAllBytes(snapshot.resolve(WEIGHTS)));
    List<FakeHub.Request> gets = hub.downloadsOf(repo, WEIGHTS);
    assertEquals(2, gets.size());
    assertEquals("bytes=100000-", gets.get(1).range());
  }

  @Test
  void concurrentResolutionsDownloadEachFileOnce() throws Exception {
    hub.cdnDelayMillis = 300; // keep the first download busy while the others arrive
    int threads = 6;
    ExecutorService pool = Executors.newFixedThreadPool(threads);
    try {
      CountDownLatch start = new CountDownLatch(1);
      List<Future<Path>> results = new ArrayList<>();
      Files.createDirectories(cacheDir);
      Path link = Files.createSymbolicLink(tmp.resolve("cache-link"), cacheDir);
      for (int i = 0; i < threads; i++) {
        // separate resolvers, as separate components of one server would have; half of them
        // reach the cache through a symlink
        ModelResolver resolver = resolver(i % 2 == 0 ? config() : config().withCacheDir(link));
        results.add(
            pool.submit(
                () -> {
                  start.await();
                  return resolver.resolve(REPO);
                }));
      }
      start.countDown();
      Set<Path> paths = new HashSet<>();
      for (Future<Path> f : results) {
        paths.add(f.get(30, TimeUnit.SECONDS).toRealPath());
      }
      assertEquals(1, paths.size());
      Path snapshot = paths.iterator().next();
      for (Map.Entry<String, byte[]> f : repo.files().entrySet()) {
        if (!f.getKey().endsWith(".bin")) {
          assertEquals(1, hub.downloadsOf(repo, f.getKey()).size(), f.getKey());
          assertArrayEquals(f.getValue(), Files.readAllBytes(snapshot.resolve(f.getKey())));
        }
      }
    } finally {
      pool.shutdownNow();
    }
  }

  @Test
  void shardedCheckpointFetchesTheIndexAndEveryShard() throws IOException {
    byte[] weights = repo.files().get(WEIGHTS);
    byte[] shard1 = Arrays.copyOfRange(weights, 0, weights.length / 2);
    byte[] shard2 = Arrays.copyOfRange(weights, weights.length / 2, weights.length);
    String index =
        "{\"metadata\":{\"total_size\":"
            + weights.length
            + "},\"weight_map\":{"
            + "\"a.weight\":\"model-00001-of-00002.safetensors\","
            + "\"b.weight\":\"model-00002-of-00002.safetensors\","
            + "\"c.weight\":\"model-00002-of-00002.safetensors\"}}";
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("config.json", repo.files().get("config.json"));
    files.put("tokenizer.json", repo.files().get("tokenizer.json"));
    files.put("model.safetensors.index.json", index.getBytes(StandardCharsets.UTF_8));
    files.put("model-00001-of-00002.safetensors", shard1);
    files.put("model-00002-of-00002.safetensors", shard2);
    FakeHub.Repo sharded = hub.addRepo("parler-test/sharded", files, false);

    Path snapshot = resolver(config()).resolve("parler-test/sharded");

    assertArrayEquals(
        shard1, Files.readAllBytes(snapshot.resolve("model-00001-of-00002.safetensors")));
    assertArrayEquals(
        shard2, Files.readAllBytes(snapshot.resolve("model-00002-of-00002.safetensors")));
    assertTrue(Files.isRegularFile(snapshot.resolve("model.safetensors.index.json")));
    assertFalse(Files.exists(snapshot.resolve(WEIGHTS)));
    assertTrue(
        Files.exists(
            repoRoot("parler-test/sharded")
                .resolve(".no_exist")
                .resolve(sharded.commit())
                .resolve(WEIGHTS)));
    assertEquals(1, hub.downloadsOf(sharded, "model-00002-of-00002.safetensors").size());
    // and offline, the shards named by the cached index are checked
    assertEquals(snapshot, resolver(config().withOffline(true)).resolve("parler-test/sharded"));
    Files.delete(snapshot.resolve("model-00002-of-00002.safetensors"));
    HubException e =
        assertThrows(
            HubException.class,
            () -> resolver(config().withOffline(true)).resolve("parler-test/sharded"));
    assertEquals(HubException.Kind.NOT_CACHED, e.kind());
    assertTrue(e.getMessage().contains("model-00002-of-00002.safetensors"), e.getMessage());
  }

  @Test
  void unknownRepositoryAsksToCheckTheIdOrSetAToken() {
    HubException e =
        assertThrows(HubException.class, () -> resolver(config()).resolve("parler-test/nope"));
    assertEquals(HubException.Kind.REPO_NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("parler-test/nope"), e.getMessage());
    assertTrue(e.getMessage().contains("HF_TOKEN"), e.getMessage());
  }

  @Test
  void unknownRevisionIsReported() {
    HubException e =
        assertThrows(HubException.class, () -> resolver(config()).resolve(REPO + "@v9"));
    assertEquals(HubException.Kind.REVISION_NOT_FOUND, e.kind());
    assertTrue(e.getMessage().contains("v9"), e.getMessage());
  }

  @Test
  void gatedRepositoryNeedsTheToken() throws IOException {
    hub.addRepo("parler-test/gated", FakeHub.fixture(), true);

    HubException noToken =
        assertThrows(HubException.class, () -> resolver(config()).resolve("parler-test/gated"));
    assertEquals(HubException.Kind.ACCESS_DENIED, noToken.kind());
    assertTrue(noToken.getMessage().contains("set HF_TOKEN"), noToken.getMessage());

    HubException wrongToken =
        assertThrows(
            HubException.class,
            () -> resolver(config().withToken("hf_wrong")).resolve("parler-test/gated"));
    assertEquals(HubException.Kind.ACCESS_DENIED, wrongToken.kind());

    hub.requests.clear();
    Path snapshot = resolver(config().withToken(FakeHub.TOKEN)).resolve("parler-test/gated");
    assertTrue(Files.isRegularFile(snapshot.resolve(WEIGHTS)));
    assertTrue(
        hub.requests.stream()
            .filter(r -> r.server().equals("hub"))
            .allMatch(r -> ("Bearer " + FakeHub.TOKEN).equals(r.authorization())));
    assertFalse(hub.requests("cdn", "GET").isEmpty());
    assertTrue(
        hub.requests("cdn", "GET").stream().allMatch(r -> r.authorization() == null),
        "the token is never sent to another origin");
  }

  @Test
  void checkpointWithoutARequiredFileIsRejected() {
    Map<String, byte[]> files = new LinkedHashMap<>(repo.files());
    files.remove("tokenizer.json");
    hub.addRepo("parler-test/no-tokenizer", files, false);
    HubException e =
        assertThrows(
            HubException.class, () -> resolver(config()).resolve("parler-test/no-tokenizer"));
    assertEquals(HubException.Kind.MISSING_FILE, e.kind());
    assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());

    Map<String, byte[]> noWeights = new LinkedHashMap<>(repo.files());
    noWeights.remove(WEIGHTS);
    hub.addRepo("parler-test/no-weights", noWeights, false);
    HubException w =
        assertThrows(
            HubException.class, () -> resolver(config()).resolve("parler-test/no-weights"));
    assertEquals(HubException.Kind.MISSING_FILE, w.kind());
    assertTrue(w.getMessage().contains(WEIGHTS), w.getMessage());
  }

  @Test
  void diskFullIsReportedWithTheSpaceNeeded() {
    ModelResolver small =
        new ModelResolver(config(), dir -> 1_000, Duration.ofMillis(20), Duration.ZERO);
    HubException e = assertThrows(HubException.class, () -> small.resolve(REPO));
    assertEquals(HubException.Kind.DISK_FULL, e.kind());
    assertTrue(e.getMessage().contains("1.00 kB is free"), e.getMessage());
    assertTrue(e.getMessage().contains("HF_HUB_CACHE"), e.getMessage());
    String needed = DownloadProgress.bytes(repo.files().get("config.json").length);
    assertTrue(e.getMessage().contains("needs " + needed + " more"), e.getMessage());
  }

  @Test
  void renamedRepositoryFollowsTheRelativeRedirect() throws IOException {
    hub.rename("old-org/tiny", REPO);
    Path snapshot = resolver(config()).resolve("old-org/tiny");
    assertEquals(repoRoot("old-org/tiny").resolve("snapshots").resolve(repo.commit()), snapshot);
    assertArrayEquals(repo.files().get(WEIGHTS), Files.readAllBytes(snapshot.resolve(WEIGHTS)));
  }

  @Test
  void localDirectoriesAreUsedAsTheyAre() throws IOException {
    Path fixture = FakeHub.fixture();
    assertEquals(
        fixture.toAbsolutePath().normalize(), resolver(config()).resolve(fixture.toString()));

    Path broken = Files.createDirectories(tmp.resolve("broken"));
    Files.copy(fixture.resolve("config.json"), broken.resolve("config.json"));
    HubException e =
        assertThrows(HubException.class, () -> resolver(config()).resolve(broken.toString()));
    assertEquals(HubException.Kind.MISSING_FILE, e.kind());
    assertTrue(e.getMessage().contains("tokenizer.json"), e.getMessage());
    assertTrue(e.getMessage().contains(WEIGHTS), e.getMessage());

    Files.copy(fixture.resolve("tokenizer.json"), broken.resolve("tokenizer.json"));
    assertEquals(broken, resolver(config()).resolveTokenizer(broken.toString()));
    assertTrue(hub.requests.isEmpty());
  }

  @Test
  void textThatIsNeitherADirectoryNorAnIdIsRejected() {
    for (String bad : List.of("no-slash", "./does/not/exist", "a/b/c", "org/name@", " ")) {
      HubException e = assertThrows(HubException.class, () -> resolver(config()).resolve(bad));
      assertEquals(HubException.Kind.INVALID_MODEL_ID, e.kind(), bad);
    }
  }

  @Test
  void tokenizerOnlyRepository() throws IOException {
    Map<String, byte[]> files = new LinkedHashMap<>();
    files.put("tokenizer.json", repo.files().get("tokenizer.json"));
    files.put("spiece.model", repo.files().get("spiece.model"));
    files.put("config.json", repo.files().get("config.json"));
    hub.addRepo("google-test/flan-t5", files, false);

    Path dir = resolver(config()).resolveTokenizer("google-test/flan-t5");

    assertEquals(Set.of("tokenizer.json", "spiece.model"), list(dir));
  }

  private static URI closedPort() throws IOException {
    try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return URI.create("http://127.0.0.1:" + s.getLocalPort());
    }
  }

  private static Set<String> list(Path dir) throws IOException {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).collect(Collectors.toSet());
    }
  }
}
