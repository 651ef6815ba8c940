package dev.parlance.tts.http.config;

import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsRequest;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Everything the server reads from its environment, validated once at start. Every field has an
 * environment variable (see {@link Env}); {@link #fromEnv(Map)} fails with a {@link
 * ConfigException} naming the variable at fault.
 *
 * @param modelType engine provider name ({@code TTS_MODEL_TYPE})
 * @param model hub id or local checkpoint directory ({@code TTS_MODEL_PATH} wins over {@code
 *     TTS_MODEL_NAME})
 * @param device compute device ({@code TTS_DEVICE})
 * @param dtype compute precision ({@code TTS_DTYPE})
 * @param engineOptions engine-specific settings ({@code TTS_ENGINE_OPTIONS}, {@code k=v,k=v})
 * @param host interface to bind ({@code TTS_HOST})
 * @param port port to bind, 0 for an ephemeral one ({@code TTS_PORT})
 * @param apiKeys accepted API keys; empty disables auth ({@code TTS_API_KEY}, {@code
 *     TTS_API_KEYS_FILE})
 * @param metricsRequireAuth whether {@code /metrics} needs a key ({@code TTS_METRICS_AUTH})
 * @param maxBodyBytes largest accepted request body ({@code TTS_MAX_BODY_BYTES})
 * @param maxInputChars longest accepted text ({@code TTS_MAX_INPUT_CHARS})
 * @param maxInFlight synthesis requests served at once before 429 ({@code TTS_MAX_IN_FLIGHT})
 * @param requestTimeout deadline of one synthesis ({@code TTS_REQUEST_TIMEOUT_SECONDS})
 * @param shutdownTimeout how long in-flight work may finish after SIGTERM ({@code
 *     TTS_SHUTDOWN_TIMEOUT_SECONDS})
 * @param wsPingInterval WebSocket keepalive ping interval ({@code TTS_WS_PING_SECONDS})
 * @param voicesFile extra voice presets, JSON, handed to the engine as its {@code voices_file}
 *     option ({@code TTS_VOICES_FILE})
 */
public record ServerConfig(
    String modelType,
    String model,
    String device,
    String dtype,
    Map<String, String> engineOptions,
    String host,
    int port,
    Set<String> apiKeys,
    boolean metricsRequireAuth,
    int maxBodyBytes,
    int maxInputChars,
    int maxInFlight,
    Duration requestTimeout,
    Duration shutdownTimeout,
    Duration wsPingInterval,
    Optional<Path> voicesFile) {

  /** The environment variable names, in one place so docs and deploy files can be checked. */
  public static final class Env {
    public static final String MODEL_TYPE = "TTS_MODEL_TYPE";
    public static final String MODEL_NAME = "TTS_MODEL_NAME";
    public static final String MODEL_PATH = "TTS_MODEL_PATH";
    public static final String DEVICE = "TTS_DEVICE";
    public static final String DTYPE = "TTS_DTYPE";
    public static final String ENGINE_OPTIONS = "TTS_ENGINE_OPTIONS";
    public static final String HOST = "TTS_HOST";
    public static final String PORT = "TTS_PORT";
    public static final String API_KEY = "TTS_API_KEY";
    public static final String API_KEYS_FILE = "TTS_API_KEYS_FILE";
    public static final String METRICS_AUTH = "TTS_METRICS_AUTH";
    public static final String MAX_BODY_BYTES = "TTS_MAX_BODY_BYTES";
    public static final String MAX_INPUT_CHARS = "TTS_MAX_INPUT_CHARS";
    public static final String MAX_IN_FLIGHT = "TTS_MAX_IN_FLIGHT";
    public static final String REQUEST_TIMEOUT_SECONDS = "TTS_REQUEST_TIMEOUT_SECONDS";
    public static final String SHUTDOWN_TIMEOUT_SECONDS = "TTS_SHUTDOWN_TIMEOUT_SECONDS";
    public static final String WS_PING_SECONDS = "TTS_WS_PING_SECONDS";
    public static final String VOICES_FILE = "TTS_VOICES_FILE";
    public static final String LOG_LEVEL = "TTS_LOG_LEVEL";

    /** Every variable the server reads (logging's {@code TTS_LOG_LEVEL} included). */
    public static final List<String> ALL =
        List.of(
            MODEL_TYPE,
            MODEL_NAME,
            MODEL_PATH,
            DEVICE,
            DTYPE,
            ENGINE_OPTIONS,
            HOST,
            PORT,
            API_KEY,
            API_KEYS_FILE,
            METRICS_AUTH,
            MAX_BODY_BYTES,
            MAX_INPUT_CHARS,
            MAX_IN_FLIGHT,
            REQUEST_TIMEOUT_SECONDS,
            SHUTDOWN_TIMEOUT_SECONDS,
            WS_PING_SECONDS,
            VOICES_FILE,
            LOG_LEVEL);

    private Env() {}
  }

  public static final String DEFAULT_MODEL_TYPE = "parler";
  public static final String DEFAULT_MODEL_NAME = "parler-tts/parler-tts-mini-v1";
  public static final int DEFAULT_PORT = 8001;

  /** The engine option that carries {@code TTS_VOICES_FILE}: the Parler engine's voices file. */
  public static final String VOICES_FILE_OPTION = "voices_file";

  public ServerConfig {
    engineOptions = Map.copyOf(engineOptions);
    apiKeys = Set.copyOf(apiKeys);
  }

  /** Reads and validates the process environment. */
  public static ServerConfig fromEnv() {
    return fromEnv(System.getenv());
  }

  /**
   * Reads and validates {@code env}.
   *
   * @throws ConfigException a variable is malformed or out of range; the message names it
   */
  public static ServerConfig fromEnv(Map<String, String> env) {
    Reader r = new Reader(env);
    String modelType = r.string(Env.MODEL_TYPE, DEFAULT_MODEL_TYPE);
    if (!modelType.matches("[a-z0-9][a-z0-9_-]*")) {
      throw new ConfigException(
          Env.MODEL_TYPE, "must be a provider name such as 'parler', got '" + modelType + "'");
    }
    Optional<String> path = r.optional(Env.MODEL_PATH);
    if (path.isPresent() && !Files.isDirectory(Path.of(path.get()))) {
      throw new ConfigException(
          Env.MODEL_PATH, "is not a directory: '" + path.get() + "' (a checkpoint directory)");
    }
    String model = path.orElseGet(() -> r.string(Env.MODEL_NAME, DEFAULT_MODEL_NAME));
    String device = r.string(Env.DEVICE, "auto");
    if (!device.matches("auto|cpu|cuda|cuda:\\d+|gpu|gpu:\\d+")) {
      throw new ConfigException(
          Env.DEVICE, "must be auto, cpu, cuda or cuda:N, got '" + device + "'");
    }
    String dtype = r.string(Env.DTYPE, "auto");
    if (!dtype.matches("auto|float32|float16|bfloat16|int8")) {
      throw new ConfigException(
          Env.DTYPE, "must be auto, float32, float16, bfloat16 or int8, got '" + dtype + "'");
    }
    Map<String, String> options = r.keyValues(Env.ENGINE_OPTIONS);
    String host = r.string(Env.HOST, "0.0.0.0");
    int port = r.integer(Env.PORT, DEFAULT_PORT, 0, 65_535);

    Set<String> keys = new LinkedHashSet<>(r.list(Env.API_KEY));
    Optional<String> keysFile = r.optional(Env.API_KEYS_FILE);
    if (keysFile.isPresent()) {
      keys.addAll(readKeysFile(keysFile.get()));
    }
    boolean metricsAuth = r.bool(Env.METRICS_AUTH, false);
    if (metricsAuth && keys.isEmpty()) {
      throw new ConfigException(
          Env.METRICS_AUTH, "is true but no key is set in TTS_API_KEY or TTS_API_KEYS_FILE");
    }
    int maxBody = r.integer(Env.MAX_BODY_BYTES, 64 * 1024, 1024, 16 * 1024 * 1024);
    int maxInput =
        r.integer(Env.MAX_INPUT_CHARS, TtsRequest.MAX_TEXT_CHARS, 1, TtsRequest.MAX_TEXT_CHARS);
    int maxInFlight = r.integer(Env.MAX_IN_FLIGHT, 64, 1, 100_000);
    Duration timeout = Duration.ofSeconds(r.integer(Env.REQUEST_TIMEOUT_SECONDS, 300, 1, 3600));
    Duration shutdown = Duration.ofSeconds(r.integer(Env.SHUTDOWN_TIMEOUT_SECONDS, 30, 0, 3600));
    Duration ping = Duration.ofSeconds(r.integer(Env.WS_PING_SECONDS, 20, 1, 3600));
    Optional<Path> voices = r.optional(Env.VOICES_FILE).map(Path::of);
    if (voices.isPresent() && !Files.isRegularFile(voices.get())) {
      throw new ConfigException(Env.VOICES_FILE, "is not a readable file: '" + voices.get() + "'");
    }
    if (voices.isPresent() && options.containsKey(VOICES_FILE_OPTION)) {
      throw new ConfigException(
          Env.VOICES_FILE,
          "and "
              + VOICES_FILE_OPTION
              + " in "
              + Env.ENGINE_OPTIONS
              + " are both set; set the voices file once");
    }
    return new ServerConfig(
        modelType,
        model,
        device,
        dtype,
        options,
        host,
        port,
        keys,
        metricsAuth,
        maxBody,
        maxInput,
        maxInFlight,
        timeout,
        shutdown,
        ping,
        voices);
  }

  /**
   * The settings handed to {@link dev.parlance.tts.spi.TtsEngines#load}: {@code TTS_VOICES_FILE}
   * joins the engine options as {@value #VOICES_FILE_OPTION}.
   */
  public TtsEngineConfig engineConfig() {
    TtsEngineConfig.Builder b =
        TtsEngineConfig.builder().model(model).device(device).dtype(dtype).options(engineOptions);
    voicesFile.ifPresent(f -> b.option(VOICES_FILE_OPTION, f.toString()));
    return b.build();
  }

  /** Whether requests must carry an API key. */
  public boolean authEnabled() {
    return !apiKeys.isEmpty();
  }

  /** Never prints the keys themselves. */
  @Override
  public String toString() {
    return "ServerConfig[modelType="
        + modelType
        + ", model="
        + model
        + ", device="
        + device
        + ", dtype="
        + dtype
        + ", engineOptions="
        + engineOptions
        + ", host="
        + host
        + ", port="
        + port
        + ", apiKeys="
        + apiKeys.size()
        + " configured, metricsRequireAuth="
        + metricsRequireAuth
        + ", maxBodyBytes="
        + maxBodyBytes
        + ", maxInputChars="
        + maxInputChars
        + ", maxInFlight="
        + maxInFlight
        + ", requestTimeout="
        + requestTimeout
        + ", shutdownTimeout="
        + shutdownTimeout
        + ", wsPingInterval="
        + wsPingInterval
        + ", voicesFile="
        + voicesFile
        + "]";
  }

  private static List<String> readKeysFile(String file) {
    List<String> keys = new ArrayList<>();
    try {
      for (String line : Files.readAllLines(Path.of(file), StandardCharsets.UTF_8)) {
        String key = line.strip();
        if (!key.isEmpty() && !key.startsWith("#")) {
          keys.add(key);
        }
      }
    } catch (IOException e) {
      throw new ConfigException(Env.API_KEYS_FILE, "cannot be read: " + e.getMessage());
    }
    if (keys.isEmpty()) {
      throw new ConfigException(Env.API_KEYS_FILE, "holds no key (one key per line)");
    }
    return keys;
  }

  /** Typed reads of one environment map; blank values count as unset. */
  private static final class Reader {
    private final Map<String, String> env;

    Reader(Map<String, String> env) {
      this.env = env;
    }

    Optional<String> optional(String name) {
      String value = env.get(name);
      return value == null || value.isBlank() ? Optional.empty() : Optional.of(value.strip());
    }

    String string(String name, String fallback) {
      return optional(name).orElse(fallback);
    }

    int integer(String name, int fallback, int min, int max) {
      Optional<String> raw = optional(name);
      if (raw.isEmpty()) {
        return fallback;
      }
      int value;
      try {
        value = Integer.parseInt(raw.get());
      } catch (NumberFormatException e) {
        throw new ConfigException(name, "must be an integer, got '" + raw.get() + "'");
      }
      if (value < min || value > max) {
        throw new ConfigException(
            name, "must be between " + min + " and " + max + ", got " + value);
      }
      return value;
    }

    boolean bool(String name, boolean fallback) {
      Optional<String> raw = optional(name);
      if (raw.isEmpty()) {
        return fallback;
      }
      switch (raw.get().toLowerCase(java.util.Locale.ROOT)) {
        case "true":
        case "1":
        case "yes":
          return true;
        case "false":
        case "0":
        case "no":
          return false;
        default:
          throw new ConfigException(name, "must be true or false, got '" + raw.get() + "'");
      }
    }

    List<String> list(String name) {
      List<String> out = new ArrayList<>();
      for (String part : optional(name).orElse("").split(",")) {
        if (!part.isBlank()) {
          out.add(part.strip());
        }
      }
      return out;
    }

    Map<String, String> keyValues(String name) {
      Map<String, String> out = new LinkedHashMap<>();
      for (String pair : list(name)) {
        int eq = pair.indexOf('=');
        if (eq <= 0) {
          throw new ConfigException(name, "entries must be key=value, got '" + pair + "'");
        }
        out.put(pair.substring(0, eq).strip(), pair.substring(eq + 1).strip());
      }
      return out;
    }
  }
}
