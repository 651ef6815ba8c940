package dev.parlance.tts.http.observability;

import io.javalin.http.Context;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.slf4j.MDC;

/** One structured line per HTTP request, on logger {@code dev.parlance.tts.http.access}. */
public final class AccessLog {
  private static final Logger access = LoggerFactory.getLogger("dev.parlance.tts.http.access");

  private AccessLog() {}

  /** Javalin's request logger: called once the response is done. */
  public static void log(Context ctx, Float millis) {
    access
        .atInfo()
        .addKeyValue("request_id", RequestIds.of(ctx))
        .addKeyValue("method", ctx.method().name())
        .addKeyValue("path", ctx.path())
        .addKeyValue("status", ctx.statusCode())
        .addKeyValue("duration_ms", millis == null ? null : Math.round(millis))
        .addKeyValue("remote", ctx.ip())
        .addKeyValue("user_agent", ctx.userAgent())
        .log("access");
    MDC.remove(RequestIds.MDC_KEY);
  }
}
