package dev.parlance.tts.http.observability;

import dev.parlance.tts.spi.TtsRequest;
import java.util.UUID;

/**
 * Request ids: the client's {@code X-Request-Id} when it is well-formed, a fresh UUID otherwise.
 */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";

  /** MDC key, so every log line of a request carries its id. */
  public static final String MDC_KEY = "request_id";

  private RequestIds() {}

  /** The id to use for a request that sent {@code header} (may be null). */
  public static String from(String header) {
    if (header != null
        && !header.isEmpty()
        && header.length() <= TtsRequest.MAX_ID_CHARS
        && header.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return header;
    }
    return UUID.randomUUID().toString();
  }
}
