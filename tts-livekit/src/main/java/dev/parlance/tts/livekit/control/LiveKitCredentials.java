package dev.parlance.tts.livekit.control;

/**
 * A LiveKit API key and secret (the server's {@code keys:} entry, or {@code LIVEKIT_API_KEY} and
 * {@code LIVEKIT_API_SECRET}).
 *
 * @param apiKey the key; the {@code iss} of every token signed with it
 * @param apiSecret the HMAC secret
 */
public record LiveKitCredentials(String apiKey, String apiSecret) {

  public LiveKitCredentials {
    if (apiKey == null || apiKey.isBlank()) {
      throw new IllegalArgumentException("apiKey must be set (LIVEKIT_API_KEY)");
    }
    if (apiSecret == null || apiSecret.isBlank()) {
      throw new IllegalArgumentException("apiSecret must be set (LIVEKIT_API_SECRET)");
    }
  }

  /** From {@code LIVEKIT_API_KEY} and {@code LIVEKIT_API_SECRET}. */
  public static LiveKitCredentials fromEnvironment() {
    return new LiveKitCredentials(
        System.getenv("LIVEKIT_API_KEY"), System.getenv("LIVEKIT_API_SECRET"));
  }

  @Override
  public String toString() {
    return "LiveKitCredentials[apiKey=" + apiKey + ", apiSecret=***]";
  }
}
