package dev.parlance.tts.core.hub;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Where and how models are fetched from the Hugging Face hub, read from the same environment
 * variables (and with the same defaults) as the Python {@code huggingface_hub} library, so that
 * both share one cache.
 *
 * @param cacheDir the hub cache ({@code HF_HUB_CACHE}, default {@code $HF_HOME/hub})
 * @param endpoint the hub base URL ({@code HF_ENDPOINT}, default {@code https://huggingface.co})
 * @param token the access token for gated or private repos ({@code HF_TOKEN}, else the token file
 *     that {@code huggingface-cli login} writes)
 * @param offline never touch the network ({@code HF_HUB_OFFLINE=1})
 * @param etagTimeout how long a metadata (HEAD) request may take ({@code HF_HUB_ETAG_TIMEOUT})
 * @param downloadTimeout how long a download may stall before it is retried ({@code
 *     HF_HUB_DOWNLOAD_TIMEOUT})
 */
public record HubConfig(
    Path cacheDir,
    URI endpoint,
    Optional<String> token,
    boolean offline,
    Duration etagTimeout,
    Duration downloadTimeout) {

  public static final String HF_HOME = "HF_HOME";
  public static final String HF_HUB_CACHE = "HF_HUB_CACHE";
  public static final String HF_ENDPOINT = "HF_ENDPOINT";
  public static final String HF_TOKEN = "HF_TOKEN";
  public static final String HF_TOKEN_PATH = "HF_TOKEN_PATH";
  public static final String HF_HUB_OFFLINE = "HF_HUB_OFFLINE";
  public static final String HF_HUB_ETAG_TIMEOUT = "HF_HUB_ETAG_TIMEOUT";
  public static final String HF_HUB_DOWNLOAD_TIMEOUT = "HF_HUB_DOWNLOAD_TIMEOUT";

  /** Every environment variable {@link #fromEnvironment(Map)} reads (documentation is tested). */
  public static final List<String> ENVIRONMENT_VARIABLES =
      List.of(
          HF_HOME,
          HF_HUB_CACHE,
          HF_ENDPOINT,
          HF_TOKEN,
          HF_TOKEN_PATH,
          HF_HUB_OFFLINE,
          HF_HUB_ETAG_TIMEOUT,
          HF_HUB_DOWNLOAD_TIMEOUT);

  public static final URI DEFAULT_ENDPOINT = URI.create("https://huggingface.co");
  public static final Duration DEFAULT_TIMEOUT = Duration.ofSeconds(10);

  // huggingface_hub.constants._is_true
  private static final Set<String> TRUE = Set.of("1", "ON", "YES", "TRUE");

  public HubConfig {
    Objects.requireNonNull(cacheDir, "cacheDir");
    Objects.requireNonNull(endpoint, "endpoint");
    Objects.requireNonNull(token, "token");
    Objects.requireNonNull(etagTimeout, "etagTimeout");
    Objects.requireNonNull(downloadTimeout, "downloadTimeout");
    String e = endpoint.toString();
    if (e.endsWith("/")) {
      endpoint = URI.create(e.substring(0, e.length() - 1));
    }
    if (!"http".equals(endpoint.getScheme()) && !"https".equals(endpoint.getScheme())) {
      throw new IllegalArgumentException("endpoint must be an http(s) URL: " + endpoint);
    }
    if (etagTimeout.isNegative() || etagTimeout.isZero()) {
      throw new IllegalArgumentException("etagTimeout must be positive");
    }
    if (downloadTimeout.isNegative() || downloadTimeout.isZero()) {
      throw new IllegalArgumentException("downloadTimeout must be positive");
    }
  }

  /** The configuration of this process's environment. */
  public static HubConfig fromEnvironment() {
    return fromEnvironment(System.getenv());
  }

  /**
   * Reads the configuration from the given variables, with {@code huggingface_hub}'s defaults.
   *
   * @throws IllegalArgumentException naming the variable whose value is malformed
   */
  public static HubConfig fromEnvironment(Map<String, String> env) {
    Path home =
        get(env, HF_HOME)
            .map(Path::of)
            .orElseGet(
                () ->
                    get(env, "XDG_CACHE_HOME")
                        .map(Path::of)
                        .orElseGet(() -> Path.of(System.getProperty("user.home"), ".cache"))
                        .resolve("huggingface"));
    Path cache =
        get(env, HF_HUB_CACHE)
            .or(() -> get(env, "HUGGINGFACE_HUB_CACHE")) // the older name, still honoured by Python
            .map(Path::of)
            .orElse(home.resolve("hub"));
    URI endpoint;
    try {
      endpoint = get(env, HF_ENDPOINT).map(URI::create).orElse(DEFAULT_ENDPOINT);
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(HF_ENDPOINT + " is not a URL: " + env.get(HF_ENDPOINT));
    }
    Optional<String> token =
        get(env, HF_TOKEN)
            .or(
                () ->
                    readTokenFile(
                        get(env, HF_TOKEN_PATH).map(Path::of).orElse(home.resolve("token"))));
    boolean offline =
        get(env, HF_HUB_OFFLINE).map(v -> TRUE.contains(v.toUpperCase(Locale.ROOT))).orElse(false);
    return new HubConfig(
        cache,
        endpoint,
        token,
        offline,
        seconds(env, HF_HUB_ETAG_TIMEOUT),
        seconds(env, HF_HUB_DOWNLOAD_TIMEOUT));
  }

  /** This configuration with another cache directory. */
  public HubConfig withCacheDir(Path dir) {
    return new HubConfig(dir, endpoint, token, offline, etagTimeout, downloadTimeout);
  }

  /** This configuration with another hub endpoint. */
  public HubConfig withEndpoint(URI uri) {
    return new HubConfig(cacheDir, uri, token, offline, etagTimeout, downloadTimeout);
  }

  /** This configuration with another token ({@code null} for none). */
  public HubConfig withToken(String value) {
    return new HubConfig(
        cacheDir, endpoint, Optional.ofNullable(value), offline, etagTimeout, downloadTimeout);
  }

  /** This configuration with offline mode switched on or off. */
  public HubConfig withOffline(boolean value) {
    return new HubConfig(cacheDir, endpoint, token, value, etagTimeout, downloadTimeout);
  }

  /** This configuration with other request timeouts. */
  public HubConfig withTimeouts(Duration etag, Duration download) {
    return new HubConfig(cacheDir, endpoint, token, offline, etag, download);
  }

  /** Never prints the token. */
  @Override
  public String toString() {
    return "HubConfig[cacheDir="
        + cacheDir
        + ", endpoint="
        + endpoint
        + ", token="
        + (token.isPresent() ? "<set>" : "<none>")
        + ", offline="
        + offline
        + ", etagTimeout="
        + etagTimeout
        + ", downloadTimeout="
        + downloadTimeout
        + "]";
  }

  private static Optional<String> get(Map<String, String> env, String name) {
    return Optional.ofNullable(env.get(name)).map(String::trim).filter(v -> !v.isEmpty());
  }

  private static Optional<String> readTokenFile(Path file) {
    if (!Files.isRegularFile(file)) {
      return Optional.empty();
    }
    try {
      return Optional.of(Files.readString(file, StandardCharsets.UTF_8).trim())
          .filter(t -> !t.isEmpty());
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the hub token file " + file, e);
    }
  }

  private static Duration seconds(Map<String, String> env, String name) {
    Optional<String> value = get(env, name);
    if (value.isEmpty()) {
      return DEFAULT_TIMEOUT;
    }
    try {
      double s = Double.parseDouble(value.get());
      if (s > 0) {
        return Duration.ofMillis(Math.round(s * 1000));
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new IllegalArgumentException(
        name + " must be a positive number of seconds, got '" + value.get() + "'");
  }
}
