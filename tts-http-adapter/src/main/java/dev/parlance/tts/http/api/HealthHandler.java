package dev.parlance.tts.http.api;

import dev.parlance.tts.http.lifecycle.Admission;
import dev.parlance.tts.http.lifecycle.EngineHolder;
import dev.parlance.tts.spi.EngineHealth;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * {@code GET /health} (liveness: the process answers), {@code GET /ready} (readiness: model loaded
 * and warm, not draining; 503 with the checks otherwise) and {@code GET /} (a small service card,
 * which LiveKit's OpenAI plugin calls to prewarm).
 */
public final class HealthHandler {
  public static final String HEALTH = "/health";
  public static final String READY = "/ready";

  private final EngineHolder engines;
  private final Admission admission;

  public HealthHandler(EngineHolder engines, Admission admission) {
    this.engines = engines;
    this.admission = admission;
  }

  public void register(RoutesConfig routes) {
    routes.get(HEALTH, ctx -> ctx.json(Map.of("status", "ok")));
    routes.get(READY, this::ready);
    routes.get("/", this::root);
  }

  private void ready(Context ctx) {
    EngineHealth health = engines.health();
    boolean accepting = !admission.draining();
    boolean ready = health.ready() && accepting;
    Map<String, Object> checks = new LinkedHashMap<>();
    checks.put("model_loaded", health.modelLoaded());
    checks.put("device", health.device());
    checks.put("memory_available", health.memoryAvailable());
    if (health.memoryTotalBytes() >= 0) { // -1: the engine cannot tell
      checks.put("memory_free_bytes", health.memoryFreeBytes());
      checks.put("memory_total_bytes", health.memoryTotalBytes());
    }
    checks.put("gpu_available", health.gpuAvailable());
    checks.put("warm", health.warm());
    checks.put("accepting_requests", accepting);
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("status", ready ? "ready" : "not_ready");
    body.put("checks", checks);
    body.put("in_flight", admission.inFlight());
    if (!ready) {
      body.put("detail", accepting ? health.detail() : "shutting down");
    }
    ctx.status(ready ? 200 : 503).json(body);
  }

  private void root(Context ctx) {
    Map<String, Object> body = new LinkedHashMap<>();
    body.put("name", "parlance");
    engines.current().ifPresent(l -> body.put("model", l.engine().modelId()));
    body.put("ready", engines.health().ready() && !admission.draining());
    ctx.json(body);
  }
}
