package dev.parlance.tts.core.engine;

import dev.parlance.tts.core.cache.PhraseCache;
import dev.parlance.tts.core.cache.PhraseKey;
import dev.parlance.tts.core.runtime.RowSink;
import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.TtsException;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Executor;

/**
 * Passes a request's audio blocks on and keeps a copy; when the request completes, the whole clip
 * goes into the phrase cache. The write runs on {@code writer}, never on the decode thread (the
 * disk tier fsyncs).
 */
final class CachingSink implements RowSink<float[]> {
  private final RowSink<float[]> delegate;
  private final PhraseCache cache;
  private final PhraseKey key;
  private final AudioFormat format;
  private final Executor writer;
  private final List<float[]> blocks = new ArrayList<>();
  private int samples;

  CachingSink(
      RowSink<float[]> delegate,
      PhraseCache cache,
      PhraseKey key,
      AudioFormat format,
      Executor writer) {
    this.delegate = delegate;
    this.cache = cache;
    this.key = key;
    this.format = format;
    this.writer = writer;
  }

  @Override
  public void accept(float[] output) {
    blocks.add(output);
    samples += output.length;
    delegate.accept(output);
  }

  @Override
  public void complete() {
    float[] all = new float[samples];
    int at = 0;
    for (float[] b : blocks) {
      System.arraycopy(b, 0, all, at, b.length);
      at += b.length;
    }
    blocks.clear();
    AudioClip clip = new AudioClip(all, format);
    writer.execute(() -> cache.put(key, clip));
    delegate.complete();
  }

  @Override
  public void fail(TtsException error) {
    blocks.clear();
    delegate.fail(error);
  }
}
