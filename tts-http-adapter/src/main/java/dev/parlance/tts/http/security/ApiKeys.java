package dev.parlance.tts.http.security;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.function.Function;

/**
 * Checks API keys sent as {@code X-API-Key} (the seed's header) or {@code Authorization: Bearer}
 * (OpenAI clients). Keys are compared as SHA-256 digests with {@link MessageDigest#isEqual}, every
 * configured key each time, so timing reveals neither a key's content nor which one matched. Keys
 * are never logged.
 */
public final class ApiKeys {
  private final List<byte[]> digests;

  /**
   * @param keys accepted keys; empty means no authentication
   */
  public ApiKeys(Set<String> keys) {
    this.digests = keys.stream().map(ApiKeys::digest).toList();
  }

  /** Whether keys are required at all. */
  public boolean enabled() {
    return !digests.isEmpty();
  }

  /**
   * Whether the request carries an accepted key.
   *
   * @param header reads a request header by name (null when absent)
   */
  public boolean allows(Function<String, String> header) {
    if (!enabled()) {
      return true;
    }
    String presented = presented(header);
    if (presented == null || presented.isEmpty()) {
      return false;
    }
    byte[] candidate = digest(presented);
    boolean match = false;
    for (byte[] key : digests) {
      match |= MessageDigest.isEqual(key, candidate);
    }
    return match;
  }

  private static String presented(Function<String, String> header) {
    String apiKey = header.apply("X-API-Key");
    if (apiKey != null && !apiKey.isBlank()) {
      return apiKey.strip();
    }
    String auth = header.apply("Authorization");
    if (auth != null && auth.toLowerCase(Locale.ROOT).startsWith("bearer ")) {
      return auth.substring("bearer ".length()).strip();
    }
    return null;
  }

  private static byte[] digest(String key) {
    try {
      return MessageDigest.getInstance("SHA-256").digest(key.getBytes(StandardCharsets.UTF_8));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is required by every JDK", e);
    }
  }
}
