package dev.parlance.tts.http.error;

import java.time.Duration;
import java.util.Optional;

/**
 * A failure the client sees as an OpenAI-shaped error body, {@code {"error": {"message", "type",
 * "param", "code"}}}, with an HTTP status. Handlers throw it; {@link ErrorResponses} writes it.
 */
public final class ApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;
  private final String type;
  private final String param;
  private final String code;
  private final transient Optional<Duration> retryAfter;

  public ApiException(
      int status, String type, String code, String param, String message, Duration retryAfter) {
    super(message);
    this.status = status;
    this.type = type;
    this.code = code;
    this.param = param;
    this.retryAfter = Optional.ofNullable(retryAfter);
  }

  /** 400 for a bad field; {@code param} names it as the client spelled it. */
  public static ApiException invalid(String param, String message) {
    return new ApiException(400, "invalid_request_error", "invalid_value", param, message, null);
  }

  /** 401: no key or a wrong one. */
  public static ApiException unauthorized(String message) {
    return new ApiException(401, "authentication_error", "invalid_api_key", null, message, null);
  }

  /** 429 with {@code Retry-After}. */
  public static ApiException overloaded(String message, Duration retryAfter) {
    return new ApiException(
        429, "rate_limit_error", "rate_limit_exceeded", null, message, retryAfter);
  }

  /** 503 with {@code Retry-After}: not ready yet or shutting down. */
  public static ApiException unavailable(String message, Duration retryAfter) {
    return new ApiException(503, "server_error", "service_unavailable", null, message, retryAfter);
  }

  public int status() {
    return status;
  }

  public String type() {
    return type;
  }

  /** The request field at fault, or null. */
  public String param() {
    return param;
  }

  public String code() {
    return code;
  }

  public Optional<Duration> retryAfter() {
    return retryAfter;
  }
}
