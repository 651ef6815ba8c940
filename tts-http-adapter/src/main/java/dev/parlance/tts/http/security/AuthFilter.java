package dev.parlance.tts.http.security;

import dev.parlance.tts.http.error.ApiException;
import io.javalin.http.Context;
import java.util.Set;

/** A before-filter: 401 unless the request carries an accepted key or its path is open. */
public final class AuthFilter {
  private final ApiKeys keys;
  private final Set<String> openPaths;

  /**
   * @param openPaths paths that never need a key (probes; metrics unless configured)
   */
  public AuthFilter(ApiKeys keys, Set<String> openPaths) {
    this.keys = keys;
    this.openPaths = Set.copyOf(openPaths);
  }

  public void check(Context ctx) {
    if (!openPaths.contains(ctx.path()) && !keys.allows(ctx::header)) {
      throw ApiException.unauthorized(
          "missing or invalid API key: send it as 'Authorization: Bearer <key>' or 'X-API-Key'");
    }
  }
}
