package dev.parlance.tts.core.hub;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/** The content hash the hub names LFS files by. */
final class Sha256 {
  private Sha256() {}

  static MessageDigest newDigest() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("every JDK has SHA-256", e);
    }
  }

  /** Feeds the first {@code length} bytes of {@code file} to {@code digest}. */
  static void update(MessageDigest digest, Path file, long length) throws IOException {
    byte[] buffer = new byte[1 << 20];
    try (InputStream in = Files.newInputStream(file)) {
      long left = length;
      for (int n; left > 0 && (n = in.read(buffer, 0, (int) Math.min(buffer.length, left))) > 0; ) {
        digest.update(buffer, 0, n);
        left -= n;
      }
      if (left > 0) {
        throw new IOException(file + " is shorter than " + length + " bytes");
      }
    }
  }

  static String hex(MessageDigest digest) {
    return HexFormat.of().formatHex(digest.digest());
  }

  static String of(Path file) throws IOException {
    MessageDigest digest = newDigest();
    update(digest, file, Files.size(file));
    return hex(digest);
  }
}
