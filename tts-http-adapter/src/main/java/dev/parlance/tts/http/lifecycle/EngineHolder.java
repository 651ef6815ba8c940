package dev.parlance.tts.http.lifecycle;

import dev.parlance.tts.http.error.ApiException;
import dev.parlance.tts.http.error.ErrorResponses;
import dev.parlance.tts.http.voice.ModelCatalog;
import dev.parlance.tts.http.voice.ServerVoices;
import dev.parlance.tts.spi.EngineHealth;
import dev.parlance.tts.spi.TtsEngine;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Loads the engine in the background so the HTTP port opens at once: liveness answers while the
 * model loads, readiness and synthesis say 503 until it is ready.
 */
public final class EngineHolder implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(EngineHolder.class);

  /** The engine with the catalogs built from it. */
  public record Loaded(TtsEngine engine, ServerVoices voices, ModelCatalog models) {}

  private volatile Loaded loaded;
  private volatile String failure;
  private volatile Thread loader;

  /**
   * Starts loading on a background thread.
   *
   * @param onFailure called with the cause if loading fails (the server exits on it)
   */
  public void loadAsync(Supplier<TtsEngine> factory, Consumer<Throwable> onFailure) {
    loader =
        new Thread(
            () -> {
              long start = System.nanoTime();
              try {
                TtsEngine engine = factory.get();
                ServerVoices voices = ServerVoices.of(engine.voices());
                loaded = new Loaded(engine, voices, new ModelCatalog(engine.modelId()));
                log.atInfo()
                    .addKeyValue("model", engine.modelId())
                    .addKeyValue("engine", engine.name())
                    .addKeyValue("load_ms", (System.nanoTime() - start) / 1_000_000)
                    .log("engine loaded");
              } catch (Throwable t) {
                failure = t.getMessage() == null ? t.getClass().getSimpleName() : t.getMessage();
                log.error("engine failed to load: {}", failure, t);
                onFailure.accept(t);
              }
            },
            "engine-loader");
    loader.setDaemon(true);
    loader.start();
  }

  /** The engine, or 503 while it loads or after it failed. */
  public Loaded require() {
    Loaded l = loaded;
    if (l == null) {
      throw ApiException.unavailable(
          failure == null ? "model is still loading" : "model failed to load: " + failure,
          ErrorResponses.UNAVAILABLE_RETRY);
    }
    return l;
  }

  /** The engine if loaded. */
  public Optional<Loaded> current() {
    return Optional.ofNullable(loaded);
  }

  /** The engine's health, or a not-loaded view while it loads. */
  public EngineHealth health() {
    Loaded l = loaded;
    if (l == null) {
      return new EngineHealth(
          false,
          "unknown",
          true,
          false,
          false,
          failure == null ? "model is loading" : "model failed to load: " + failure);
    }
    return l.engine().health();
  }

  @Override
  public void close() {
    Loaded l = loaded;
    if (l != null) {
      l.engine().close();
    }
  }
}
