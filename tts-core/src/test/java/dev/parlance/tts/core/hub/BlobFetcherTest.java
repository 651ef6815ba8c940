package dev.parlance.tts.core.hub;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BlobFetcherTest {
  @TempDir Path tmp;

  @Test
  void verifiesSizeAndTheSha256OfLfsFiles() throws IOException {
    byte[] bytes = "weights".getBytes(StandardCharsets.UTF_8);
    Path f = Files.write(tmp.resolve("f"), bytes);
    URI u = URI.create("http://127.0.0.1/x");
    String sha = FakeHub.sha256Hex(bytes);

    assertEquals(Optional.empty(), BlobFetcher.verify(f, new RemoteFile("f", "c", sha, 7, u)));
    assertTrue(
        BlobFetcher.verify(f, new RemoteFile("f", "c", sha, 8, u)).orElseThrow().contains("size"));
    String other = FakeHub.sha256Hex(new byte[] {1});
    assertTrue(
        BlobFetcher.verify(f, new RemoteFile("f", "c", other, 7, u))
            .orElseThrow()
            .contains("sha256"));
    // a git blob id is not a content hash: only the size counts, as in huggingface_hub
    assertEquals(
        Optional.empty(),
        BlobFetcher.verify(f, new RemoteFile("f", "c", FakeHub.gitBlobId(bytes), 7, u)));
  }

  @Test
  void recognisesDiskFullErrors() {
    assertTrue(BlobFetcher.isDiskFull(new IOException("No space left on device")));
    assertTrue(
        BlobFetcher.isDiskFull(
            new IOException("write failed", new IOException("Disk quota exceeded"))));
    assertTrue(BlobFetcher.isDiskFull(new IOException("There is not enough space on the disk")));
    assertFalse(BlobFetcher.isDiskFull(new IOException("Connection reset")));
  }
}
