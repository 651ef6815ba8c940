package dev.parlance.tts.core.cache;

import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import java.util.zip.CRC32C;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The persistent tier of the phrase cache: one file per entry, named by the key's digest, that
 * survives restarts.
 *
 * <p>Entry layout (little-endian): magic {@code PLC1}, key length and UTF-8 key ({@link
 * PhraseKey#canonical()}), sample rate, channels, sample count, float samples, then a CRC32C of
 * everything before it. An entry that is truncated, fails its checksum or holds another key is
 * never served: it is deleted and counted, and the next synthesis rewrites it. Writes go to a
 * temporary file that is then moved into place atomically, so a crash never leaves a half entry
 * under a real name.
 *
 * <p>Total size is kept under a bound by deleting the least recently used entries (by modification
 * time, which a hit refreshes).
 */
public final class DiskAudioStore {
  private static final Logger LOG = LoggerFactory.getLogger(DiskAudioStore.class);
  private static final int MAGIC = 0x31434C50; // "PLC1" read as a little-endian int
  private static final String SUFFIX = ".pcm";
  private static final int HEADER_BYTES = 4 + 4; // magic, key length
  private static final int FORMAT_BYTES = 4 + 4 + 4; // rate, channels, count
  private static final int CRC_BYTES = 8;

  private final Path dir;
  private final long maxBytes;
  private final AtomicLong sizeBytes = new AtomicLong();
  private final AtomicLong corrupt = new AtomicLong();

  /**
   * Opens (creating if needed) a store in {@code dir}, deleting temporary files a crash left.
   *
   * @throws UncheckedIOException the directory cannot be created or read
   */
  public DiskAudioStore(Path dir, long maxBytes) {
    if (maxBytes <= 0) {
      throw new IllegalArgumentException("maxBytes must be > 0, got " + maxBytes);
    }
    this.dir = dir;
    this.maxBytes = maxBytes;
    try {
      Files.createDirectories(dir);
      long total = 0;
      try (Stream<Path> files = Files.list(dir)) {
        for (Path p : (Iterable<Path>) files::iterator) {
          String name = p.getFileName().toString();
          if (name.endsWith(".tmp")) {
            Files.deleteIfExists(p);
          } else if (name.endsWith(SUFFIX)) {
            total += Files.size(p);
          }
        }
      }
      sizeBytes.set(total);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot open the disk cache at " + dir, e);
    }
  }

  /** The entry for {@code key}, if a valid one is stored. */
  public Optional<AudioClip> read(PhraseKey key) {
    Path file = fileOf(key);
    byte[] bytes;
    try {
      bytes = Files.readAllBytes(file);
    } catch (NoSuchFileException e) {
      return Optional.empty();
    } catch (IOException e) {
      LOG.warn("cannot read disk cache entry {}", file, e);
      return Optional.empty();
    }
    Optional<AudioClip> clip = decode(bytes, key.canonical());
    if (clip.isEmpty()) {
      corrupt.incrementAndGet();
      LOG.warn("ignoring corrupt disk cache entry {} ({} bytes)", file, bytes.length);
      delete(file);
      return Optional.empty();
    }
    try {
      Files.setLastModifiedTime(file, FileTime.fromMillis(System.currentTimeMillis()));
    } catch (IOException e) {
      LOG.debug("cannot touch {}", file, e);
    }
    return clip;
  }

  /**
   * Stores {@code clip} under {@code key}, replacing any entry; I/O errors are logged, not thrown.
   */
  public void write(PhraseKey key, AudioClip clip) {
    byte[] bytes = encode(key.canonical(), clip);
    if (bytes.length > maxBytes) {
      return;
    }
    Path file = fileOf(key);
    Path tmp = null;
    try {
      tmp = Files.createTempFile(dir, file.getFileName().toString(), ".tmp");
      try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.WRITE)) {
        ByteBuffer buf = ByteBuffer.wrap(bytes);
        while (buf.hasRemaining()) {
          ch.write(buf);
        }
        ch.force(true);
      }
      long previous = Files.exists(file) ? Files.size(file) : 0;
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
      tmp = null;
      sizeBytes.addAndGet(bytes.length - previous);
    } catch (IOException e) {
      LOG.warn("cannot write disk cache entry {}", file, e);
    } finally {
      if (tmp != null) {
        delete(tmp);
      }
    }
    if (sizeBytes.get() > maxBytes) {
      prune();
    }
  }

  /** Bytes of entries on disk, as tracked since opening. */
  public long sizeBytes() {
    return sizeBytes.get();
  }

  /** Corrupt or truncated entries found (and deleted) since opening. */
  public long corruptEntries() {
    return corrupt.get();
  }

  /** The file an entry for {@code key} lives in. */
  Path fileOf(PhraseKey key) {
    return dir.resolve(key.digest() + SUFFIX);
  }

  private synchronized void prune() {
    if (sizeBytes.get() <= maxBytes) {
      return;
    }
    List<Path> files = new ArrayList<>();
    try (Stream<Path> list = Files.list(dir)) {
      list.filter(p -> p.getFileName().toString().endsWith(SUFFIX)).forEach(files::add);
    } catch (IOException e) {
      LOG.warn("cannot list disk cache {}", dir, e);
      return;
    }
    files.sort(Comparator.comparing(DiskAudioStore::modified));
    for (Path p : files) {
      if (sizeBytes.get() <= maxBytes) {
        break;
      }
      try {
        long size = Files.size(p);
        if (Files.deleteIfExists(p)) {
          sizeBytes.addAndGet(-size);
        }
      } catch (IOException e) {
        LOG.debug("cannot prune {}", p, e);
      }
    }
  }

  private static FileTime modified(Path p) {
    try {
      return Files.getLastModifiedTime(p);
    } catch (IOException e) {
      return FileTime.fromMillis(0);
    }
  }

  private void delete(Path file) {
    try {
      long size = Files.exists(file) ? Files.size(file) : 0;
      if (Files.deleteIfExists(file) && file.getFileName().toString().endsWith(SUFFIX)) {
        sizeBytes.addAndGet(-size);
      }
    } catch (IOException e) {
      LOG.debug("cannot delete {}", file, e);
    }
  }

  static byte[] encode(String canonicalKey, AudioClip clip) {
    byte[] key = canonicalKey.getBytes(StandardCharsets.UTF_8);
    float[] samples = clip.samples();
    int size = HEADER_BYTES + key.length + FORMAT_BYTES + 4 * samples.length + CRC_BYTES;
    ByteBuffer buf = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    buf.putInt(MAGIC).putInt(key.length).put(key);
    buf.putInt(clip.format().sampleRate()).putInt(clip.format().channels()).putInt(samples.length);
    buf.asFloatBuffer().put(samples);
    buf.position(buf.position() + 4 * samples.length);
    CRC32C crc = new CRC32C();
    crc.update(buf.array(), 0, buf.position());
    buf.putLong(crc.getValue());
    return buf.array();
  }

  /** The clip in {@code bytes} if they are a whole, intact entry for {@code canonicalKey}. */
  static Optional<AudioClip> decode(byte[] bytes, String canonicalKey) {
    if (bytes.length < HEADER_BYTES + FORMAT_BYTES + CRC_BYTES) {
      return Optional.empty();
    }
    ByteBuffer buf = ByteBuffer.wrap(bytes).order(ByteOrder.LITTLE_ENDIAN);
    CRC32C crc = new CRC32C();
    crc.update(bytes, 0, bytes.length - CRC_BYTES);
    if (buf.getLong(bytes.length - CRC_BYTES) != crc.getValue() || buf.getInt() != MAGIC) {
      return Optional.empty();
    }
    int keyLength = buf.getInt();
    if (keyLength < 0 || keyLength > bytes.length - buf.position() - FORMAT_BYTES - CRC_BYTES) {
      return Optional.empty();
    }
    byte[] key = new byte[keyLength];
    buf.get(key);
    if (!canonicalKey.equals(new String(key, StandardCharsets.UTF_8))) {
      return Optional.empty();
    }
    int rate = buf.getInt();
    int channels = buf.getInt();
    int count = buf.getInt();
    if (rate <= 0
        || channels <= 0
        || count < 0
        || (long) count * 4 != bytes.length - buf.position() - CRC_BYTES) {
      return Optional.empty();
    }
    float[] samples = new float[count];
    buf.asFloatBuffer().get(samples);
    return Optional.of(new AudioClip(samples, new AudioFormat(rate, channels)));
  }
}
