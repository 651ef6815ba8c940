package dev.parlance.tts.core.hub;

import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.channels.FileLock;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Exclusive right to download one blob, across threads and processes. File locks alone do not
 * exclude threads of the same JVM (a second {@code lock()} throws), so a per-path JVM lock is taken
 * first, then an OS lock on {@code .locks/models--org--name/{etag}.lock}.
 *
 * <p>Java's OS lock is a POSIX record lock ({@code fcntl}); Python's {@code filelock} uses {@code
 * flock}, which Linux keeps separate. Java processes exclude each other; a Java and a Python
 * process downloading the same blob at the same moment may both download it, but each verifies and
 * renames a complete file, so neither can publish a half-written blob.
 */
final class BlobLock implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(BlobLock.class);
  private static final ConcurrentMap<Path, ReentrantLock> IN_PROCESS = new ConcurrentHashMap<>();

  private final ReentrantLock threadLock;
  private final FileChannel channel;
  private final FileLock fileLock;

  private BlobLock(ReentrantLock threadLock, FileChannel channel, FileLock fileLock) {
    this.threadLock = threadLock;
    this.channel = channel;
    this.fileLock = fileLock;
  }

  /** Blocks until this thread holds the lock; says so in the log when it has to wait. */
  static BlobLock acquire(Path lockFile, String what) throws IOException {
    // The real path: two resolvers reaching one cache through different (symlinked) paths must
    // share the JVM lock, or the second file lock would throw OverlappingFileLockException.
    Files.createDirectories(lockFile.getParent());
    Path key = lockFile.getParent().toRealPath().resolve(lockFile.getFileName());
    ReentrantLock threadLock = IN_PROCESS.computeIfAbsent(key, k -> new ReentrantLock());
    if (!threadLock.tryLock()) {
      log.info("Waiting for another thread downloading {}", what);
      threadLock.lock();
    }
    FileChannel channel = null;
    try {
      channel =
          FileChannel.open(
              key, StandardOpenOption.CREATE, StandardOpenOption.WRITE, StandardOpenOption.APPEND);
      FileLock fileLock = channel.tryLock();
      if (fileLock == null) {
        log.info("Waiting for another process downloading {} (lock {})", what, key);
        fileLock = channel.lock();
      }
      return new BlobLock(threadLock, channel, fileLock);
    } catch (IOException | RuntimeException e) {
      if (channel != null) {
        channel.close();
      }
      threadLock.unlock();
      throw e;
    }
  }

  @Override
  public void close() throws IOException {
    try {
      fileLock.release();
      channel.close();
    } finally {
      threadLock.unlock();
    }
  }
}
