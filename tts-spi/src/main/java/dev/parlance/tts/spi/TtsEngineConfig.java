package dev.parlance.tts.spi;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Engine-neutral configuration handed to a {@link TtsEngineProvider}. The common settings are
 * typed; engine-specific ones travel as string {@link #options()} that the provider parses and
 * validates.
 *
 * @param model a model id ({@code org/name}, optionally {@code @revision}) or a local checkpoint
 *     directory
 * @param device {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N}
 * @param dtype precision of the model's weights ({@code auto}, {@code float32}, {@code float16},
 *     {@code bfloat16}, or an engine-specific value such as {@code int8})
 * @param options engine-specific settings, e.g. {@code max_batch_size=8}
 */
public record TtsEngineConfig(
    String model, String device, String dtype, Map<String, String> options) {

  public TtsEngineConfig {
    Objects.requireNonNull(model, "model");
    device = device == null || device.isBlank() ? "auto" : device.trim();
    dtype = dtype == null || dtype.isBlank() ? "auto" : dtype.trim();
    options = Map.copyOf(options == null ? Map.of() : options);
  }

  /** An engine-specific option, if set. */
  public Optional<String> option(String key) {
    return Optional.ofNullable(options.get(key));
  }

  public static Builder builder() {
    return new Builder();
  }

  /** Fluent construction of a {@link TtsEngineConfig}. */
  public static final class Builder {
    private String model;
    private String device;
    private String dtype;
    private final Map<String, String> options = new LinkedHashMap<>();

    private Builder() {}

    public Builder model(String value) {
      model = value;
      return this;
    }

    public Builder device(String value) {
      device = value;
      return this;
    }

    public Builder dtype(String value) {
      dtype = value;
      return this;
    }

    public Builder option(String key, String value) {
      options.put(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
      return this;
    }

    public Builder options(Map<String, String> values) {
      values.forEach(this::option);
      return this;
    }

    public TtsEngineConfig build() {
      if (model == null || model.isBlank()) {
        throw new IllegalArgumentException(
            "model must be set (a model id or a checkpoint directory)");
      }
      return new TtsEngineConfig(model.trim(), device, dtype, options);
    }
  }
}
