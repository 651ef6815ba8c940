package dev.parlance.tts.http.error;

import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.TtsException;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import io.javalin.http.HttpResponseException;
import java.time.Duration;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Registers the exception mappers that turn every failure into an OpenAI-shaped JSON error. */
public final class ErrorHandlers {
  private static final Logger log = LoggerFactory.getLogger(ErrorHandlers.class);

  private ErrorHandlers() {}

  public static void register(RoutesConfig routes) {
    routes.exception(ApiException.class, (e, ctx) -> write(ctx, e));
    routes.exception(
        InvalidRequestException.class,
        (e, ctx) -> write(ctx, ApiException.invalid(e.field(), e.getMessage())));
    routes.exception(TtsException.class, (e, ctx) -> write(ctx, ErrorResponses.fromEngine(e)));
    routes.exception(HttpResponseException.class, (e, ctx) -> write(ctx, fromJavalin(e)));
    routes.exception(
        Exception.class,
        (e, ctx) -> {
          log.error("unhandled error", e);
          write(ctx, ErrorResponses.internal());
        });
  }

  /** Writes {@code e} as the response: status, {@code Retry-After} when set, JSON body. */
  public static void write(Context ctx, ApiException e) {
    e.retryAfter()
        .map(Duration::toSeconds)
        .ifPresent(s -> ctx.header("Retry-After", Long.toString(Math.max(1, s))));
    ctx.status(e.status()).json(ErrorResponses.body(e));
  }

  /** Javalin's own responses (no route, body too large, ...) in our error shape. */
  private static ApiException fromJavalin(HttpResponseException e) {
    int status = e.getStatus();
    String code;
    String message = e.getMessage();
    switch (status) {
      case 404:
        code = "not_found";
        message = "no such endpoint";
        break;
      case 405:
        code = "method_not_allowed";
        break;
      case 413:
        code = "request_too_large";
        message = "request body is larger than the server accepts";
        break;
      default:
        code = "http_error";
    }
    return new ApiException(
        status,
        status >= 500 ? "server_error" : "invalid_request_error",
        code,
        null,
        message,
        null);
  }
}
