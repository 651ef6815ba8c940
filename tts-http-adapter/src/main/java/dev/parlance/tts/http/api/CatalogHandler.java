package dev.parlance.tts.http.api;

import dev.parlance.tts.http.lifecycle.EngineHolder;
import dev.parlance.tts.http.voice.ServerVoices;
import dev.parlance.tts.spi.VoiceInfo;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code GET /v1/models} (OpenAI's list shape) and {@code GET /v1/audio/voices} (every voice name,
 * the engine's presets then OpenAI's names).
 */
public final class CatalogHandler {
  private final EngineHolder engines;

  public CatalogHandler(EngineHolder engines) {
    this.engines = engines;
  }

  public void register(RoutesConfig routes) {
    routes.get("/v1/models", this::models);
    routes.get("/v1/audio/voices", this::voices);
  }

  private void models(Context ctx) {
    EngineHolder.Loaded loaded = engines.require();
    List<Map<String, Object>> data =
        loaded.models().ids().stream()
            .map(
                id -> {
                  Map<String, Object> m = new LinkedHashMap<>();
                  m.put("id", id);
                  m.put("object", "model");
                  m.put("created", 0);
                  m.put("owned_by", "parlance");
                  m.put("root", loaded.models().modelId());
                  return m;
                })
            .toList();
    ctx.json(Map.of("object", "list", "data", data));
  }

  private void voices(Context ctx) {
    EngineHolder.Loaded loaded = engines.require();
    List<Map<String, Object>> voices =
        loaded.voices().voices().stream().map(CatalogHandler::voice).toList();
    ctx.json(Map.of("voices", voices, "default", voices.get(0).get("name")));
  }

  /** {@code preset} names the engine preset an OpenAI voice name stands for; null otherwise. */
  private static Map<String, Object> voice(ServerVoices.Listed listed) {
    VoiceInfo v = listed.info();
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", v.name());
    m.put("description", v.description());
    m.put("seed", v.seed().isPresent() ? v.seed().getAsLong() : null);
    m.put("preset", listed.aliasOf().orElse(null));
    return m;
  }
}
