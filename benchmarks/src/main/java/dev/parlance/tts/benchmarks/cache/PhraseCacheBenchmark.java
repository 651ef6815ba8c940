package dev.parlance.tts.benchmarks.cache;

import dev.parlance.tts.core.cache.DiskAudioStore;
import dev.parlance.tts.core.cache.PhraseCache;
import dev.parlance.tts.core.cache.PhraseKey;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.SamplingOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * A phrase-cache hit for a {@value #SECONDS} s clip at 44.1 kHz: the key built from the request's
 * fields (as a lookup does), then the memory tier, or the disk tier alone (a cache whose memory
 * tier holds 0 bytes). The clip comes back as a copy either way.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(value = 1, jvmArgsAppend = "-Xmx1g")
public class PhraseCacheBenchmark {

  public static final int SECONDS = 2;
  public static final int SAMPLE_RATE = 44100;

  private PhraseCache memoryOnly;
  private PhraseCache withDisk;
  private Path diskDir;
  private SamplingOptions sampling;

  @Setup(Level.Trial)
  public void setUp() throws IOException {
    float[] samples = new float[SECONDS * SAMPLE_RATE];
    SplittableRandom rng = new SplittableRandom(1);
    for (int i = 0; i < samples.length; i++) {
      samples[i] = (float) (rng.nextDouble() - 0.5);
    }
    AudioClip clip = new AudioClip(samples, AudioFormat.mono(SAMPLE_RATE));
    sampling = SamplingOptions.builder().seed(42).maxDuration(Duration.ofSeconds(10)).build();
    memoryOnly = new PhraseCache(64L << 20, Optional.empty(), false);
    diskDir = Files.createTempDirectory("parlance-bench-phrases");
    withDisk =
        new PhraseCache(64L << 20, Optional.of(new DiskAudioStore(diskDir, 64L << 20)), false);
    memoryOnly.put(key(), clip);
    withDisk.put(key(), clip);
  }

  @TearDown(Level.Trial)
  public void tearDown() throws IOException {
    try (Stream<Path> files = Files.walk(diskDir)) {
      for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
        Files.delete(p);
      }
    }
  }

  private PhraseKey key() {
    return PhraseKey.of(
        "Hello from the phrase cache.",
        "A calm voice, close to the microphone.",
        sampling,
        "parler-tts/parler-tts-mini-v1",
        "main");
  }

  @Benchmark
  public AudioClip memoryHit() {
    return memoryOnly.get(key()).orElseThrow();
  }

  @Benchmark
  public AudioClip diskHit() {
    return withDisk.get(key()).orElseThrow();
  }
}
