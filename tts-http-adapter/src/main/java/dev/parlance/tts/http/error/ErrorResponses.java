package dev.parlance.tts.http.error;

import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.OverloadedException;
import dev.parlance.tts.spi.TtsException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one place that turns failures into OpenAI-shaped error bodies and statuses. Engine failures
 * are mapped by {@link TtsException#kind()}.
 */
public final class ErrorResponses {
  /** Clients that are told "not ready" retry after this long. */
  public static final Duration UNAVAILABLE_RETRY = Duration.ofSeconds(5);

  private ErrorResponses() {}

  /** The API error an engine failure stands for. */
  public static ApiException fromEngine(TtsException e) {
    switch (e.kind()) {
      case INVALID_REQUEST:
        return ApiException.invalid(((InvalidRequestException) e).field(), e.getMessage());
      case OVERLOADED:
        return ApiException.overloaded(e.getMessage(), ((OverloadedException) e).retryAfter());
      case UNAVAILABLE:
        return ApiException.unavailable(e.getMessage(), UNAVAILABLE_RETRY);
      case CANCELLED:
        // Only a deadline can cancel a request whose client still listens.
        return new ApiException(504, "server_error", "timeout", null, e.getMessage(), null);
      case INTERNAL:
      default:
        return internal();
    }
  }

  /** 500 without leaking internals; the cause goes to the log, not the client. */
  public static ApiException internal() {
    return new ApiException(
        500, "server_error", "internal_error", null, "internal server error", null);
  }

  /** The JSON body of {@code e}: {@code {"error": {...}}}. */
  public static Map<String, Object> body(ApiException e) {
    Map<String, Object> error = new LinkedHashMap<>();
    error.put("message", e.getMessage());
    error.put("type", e.type());
    error.put("param", e.param());
    error.put("code", e.code());
    return Map.of("error", error);
  }
}
