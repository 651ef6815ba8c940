package dev.parlance.tts.http.api;

import io.javalin.http.Context;

/** Per-request values set by filters and read by handlers. */
public final class RequestContext {
  /** Context attribute holding the request id. */
  public static final String REQUEST_ID = "parlance.request_id";

  private RequestContext() {}

  /** The id of this request (from {@code X-Request-Id} or generated). */
  public static String requestId(Context ctx) {
    String id = ctx.attribute(REQUEST_ID);
    return id == null ? "" : id;
  }
}
