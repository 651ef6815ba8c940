package dev.parlance.tts.http;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parlance.tts.http.api.AudioResponder;
import dev.parlance.tts.http.api.CatalogHandler;
import dev.parlance.tts.http.api.HealthHandler;
import dev.parlance.tts.http.api.SpeechHandler;
import dev.parlance.tts.http.api.SpeechRequests;
import dev.parlance.tts.http.api.SpeechSocket;
import dev.parlance.tts.http.api.SynthesizeHandler;
import dev.parlance.tts.http.config.ServerConfig;
import dev.parlance.tts.http.error.ErrorHandlers;
import dev.parlance.tts.http.lifecycle.Admission;
import dev.parlance.tts.http.lifecycle.EngineHolder;
import dev.parlance.tts.http.observability.AccessLog;
import dev.parlance.tts.http.observability.RequestIds;
import dev.parlance.tts.http.observability.ServerMetrics;
import dev.parlance.tts.http.security.ApiKeys;
import dev.parlance.tts.http.security.AuthFilter;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsEngines;
import io.javalin.Javalin;
import io.javalin.config.JavalinConfig;
import io.javalin.json.JavalinJackson;
import java.util.HashSet;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP server: a thin Javalin app over a {@link TtsEngine} obtained through the SPI. The port
 * opens at once; the engine loads in the background (readiness says 503 until it is ready).
 *
 * <pre>{@code
 * ParlanceServer server = ParlanceServer.start(ServerConfig.fromEnv(), failure -> System.exit(1));
 * Runtime.getRuntime().addShutdownHook(new Thread(server::shutdown));
 * }</pre>
 */
public final class ParlanceServer {
  private static final Logger log = LoggerFactory.getLogger(ParlanceServer.class);

  /** Paths that never need an API key: probes and the service card. */
  private static final Set<String> OPEN_PATHS =
      Set.of(HealthHandler.HEALTH, HealthHandler.READY, "/");

  private static final String METRICS = "/metrics";
  private static final long STOP_FLUSH_MILLIS = 5_000;

  private final ServerConfig config;
  private final ObjectMapper json = new ObjectMapper();
  private final Admission admission;
  private final EngineHolder engines = new EngineHolder();
  private final ServerMetrics metrics;
  private final ApiKeys keys;
  private final Javalin app;
  private volatile boolean stopped;

  private ParlanceServer(ServerConfig config) {
    this.config = config;
    this.admission = new Admission(config.maxInFlight());
    this.metrics = new ServerMetrics(admission);
    this.keys = new ApiKeys(config.apiKeys());
    this.app = Javalin.create(this::configure);
  }

  /** Starts a server that loads its engine with {@code TtsEngines.load(modelType, ...)}. */
  public static ParlanceServer start(ServerConfig config, Consumer<Throwable> onLoadFailure) {
    return start(
        config, () -> TtsEngines.load(config.modelType(), config.engineConfig()), onLoadFailure);
  }

  /**
   * Starts a server with an engine from {@code engineFactory}, called once on a background thread.
   * The engine settings in {@code config} (model, device, dtype, {@code TTS_ENGINE_OPTIONS}, {@code
   * TTS_VOICES_FILE}) reach the engine only through {@link ServerConfig#engineConfig()}: a factory
   * that does not use it does not get them.
   *
   * @param onLoadFailure called if the engine cannot be loaded
   */
  public static ParlanceServer start(
      ServerConfig config, Supplier<TtsEngine> engineFactory, Consumer<Throwable> onLoadFailure) {
    ParlanceServer server = new ParlanceServer(config);
    server.app.start();
    log.atInfo()
        .addKeyValue("port", server.port())
        .addKeyValue("config", config.toString())
        .log("listening");
    server.engines.loadAsync(engineFactory, onLoadFailure);
    return server;
  }

  /** The bound port (useful when the configured one is 0). */
  public int port() {
    return app.port();
  }

  /**
   * Graceful shutdown: readiness turns false and new work is refused at once, in-flight responses
   * get up to the configured deadline to finish, then the rest is cancelled and the server stops.
   */
  public void shutdown() {
    synchronized (this) {
      if (stopped) {
        return;
      }
      stopped = true;
    }
    admission.drain();
    log.atInfo()
        .addKeyValue("in_flight", admission.inFlight())
        .addKeyValue("deadline_s", config.shutdownTimeout().toSeconds())
        .log("draining");
    try {
      boolean clean = admission.awaitIdle(config.shutdownTimeout());
      if (!clean) {
        log.warn("shutdown deadline passed; cancelled the remaining requests");
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
    app.stop();
    engines.close();
    metrics.close();
    log.info("stopped");
  }

  private void configure(JavalinConfig cfg) {
    cfg.startup.showJavalinBanner = false;
    cfg.startup.showOldJavalinVersionWarning = false;
    cfg.jetty.host = config.host();
    cfg.jetty.port = config.port();
    cfg.http.maxRequestSize = config.maxBodyBytes();
    cfg.jsonMapper(new JavalinJackson(json, false));
    cfg.jetty.modifyServer(
        server -> {
          // A handler that has returned may still be flushing its last bytes: let Jetty's stop
          // wait for open responses (the drain above already waited for synthesis).
          server.insertHandler(new GracefulHandler());
          server.setStopTimeout(STOP_FLUSH_MILLIS);
          metrics.bindJetty(server);
        });
    // Connectors exist only once Jetty runs.
    cfg.events.serverStarted(() -> metrics.bindConnectors(app.jettyServer().server()));
    cfg.requestLogger.http(AccessLog::log);

    Set<String> open = new HashSet<>(OPEN_PATHS);
    if (!config.metricsRequireAuth()) {
      open.add(METRICS);
    }
    AuthFilter auth = new AuthFilter(keys, open);
    cfg.routes.before(
        ctx -> {
          RequestIds.assign(ctx);
          auth.check(ctx);
        });
    ErrorHandlers.register(cfg.routes);

    SpeechRequests requests = new SpeechRequests(config.maxInputChars(), config.requestTimeout());
    AudioResponder responder = new AudioResponder(admission, json, metrics);
    new HealthHandler(engines, admission).register(cfg.routes);
    new CatalogHandler(engines).register(cfg.routes);
    new SpeechHandler(engines, requests, responder, json).register(cfg.routes);
    new SynthesizeHandler(engines, requests, responder, json).register(cfg.routes);
    new SpeechSocket(
            engines,
            admission,
            requests,
            keys,
            json,
            config.wsPingInterval(),
            config.maxInputChars())
        .register(cfg.routes);
    cfg.routes.get(
        METRICS,
        ctx ->
            ctx.contentType("text/plain; version=0.0.4; charset=utf-8").result(metrics.scrape()));
  }
}
