package dev.parlance.tts.http.observability;

import dev.parlance.tts.spi.TtsRequest;
import io.javalin.http.Context;
import java.util.UUID;
import org.slf4j.MDC;

/**
 * Request ids: the client's {@code X-Request-Id} when it is well-formed, a fresh UUID otherwise;
 * echoed in the response, put in the logging MDC and handed to the engine.
 */
public final class RequestIds {
  public static final String HEADER = "X-Request-Id";

  /** MDC key, so every log line of a request carries its id. */
  public static final String MDC_KEY = "request_id";

  private static final String ATTRIBUTE = "parlance.request_id";

  private RequestIds() {}

  /** A before-filter: assigns the id of this request. */
  public static void assign(Context ctx) {
    String id = from(ctx.header(HEADER));
    ctx.attribute(ATTRIBUTE, id);
    ctx.header(HEADER, id);
    MDC.put(MDC_KEY, id);
  }

  /** The id assigned to this request. */
  public static String of(Context ctx) {
    String id = ctx.attribute(ATTRIBUTE);
    return id == null ? "" : id;
  }

  /** The id to use for a request that sent {@code header} (may be null). */
  static String from(String header) {
    if (header != null
        && !header.isEmpty()
        && header.length() <= TtsRequest.MAX_ID_CHARS
        && header.chars().allMatch(c -> c > 0x20 && c < 0x7f)) {
      return header;
    }
    return UUID.randomUUID().toString();
  }
}
