package dev.parlance.tts.http.voice;

import dev.parlance.tts.spi.InvalidRequestException;
import java.util.ArrayList;
import java.util.List;

/**
 * Model names a request may use: the loaded model's id and OpenAI's model names as aliases of it,
 * so clients with OpenAI defaults ({@code tts-1}) work unchanged.
 */
public final class ModelCatalog {
  /** OpenAI's speech model names, all served by the loaded model. */
  public static final List<String> OPENAI_ALIASES = List.of("tts-1", "tts-1-hd", "gpt-4o-mini-tts");

  private final String modelId;

  public ModelCatalog(String modelId) {
    this.modelId = modelId;
  }

  /** The loaded model's id. */
  public String modelId() {
    return modelId;
  }

  /** Every accepted name, the loaded id first. */
  public List<String> ids() {
    List<String> ids = new ArrayList<>();
    ids.add(modelId);
    ids.addAll(OPENAI_ALIASES);
    return ids;
  }

  /**
   * Checks a requested model name.
   *
   * @param requested the client's {@code model}; null or blank means the loaded model
   * @throws InvalidRequestException anything else; the message names the valid ids
   */
  public String resolve(String requested) {
    if (requested == null || requested.isBlank()) {
      return modelId;
    }
    String name = requested.trim();
    // OpenAI dates its snapshots (gpt-4o-mini-tts-2025-12-15): accept them as the alias.
    if (name.equals(modelId)
        || OPENAI_ALIASES.contains(name)
        || name.matches("gpt-4o-mini-tts-\\d{4}-\\d{2}-\\d{2}")) {
      return modelId;
    }
    throw new InvalidRequestException(
        "model", "unknown model '" + name + "'; available: " + String.join(", ", ids()));
  }
}
