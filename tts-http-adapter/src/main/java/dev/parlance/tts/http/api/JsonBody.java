package dev.parlance.tts.http.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parlance.tts.http.error.ApiException;
import dev.parlance.tts.spi.InvalidRequestException;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.Locale;

/** A request's JSON object with typed, field-named reads. */
final class JsonBody {
  private final JsonNode root;

  private JsonBody(JsonNode root) {
    this.root = root;
  }

  /**
   * Reads the body of {@code ctx} as a JSON object.
   *
   * @throws ApiException 415 for another content type, 400 for malformed JSON or a non-object
   */
  static JsonBody of(Context ctx, ObjectMapper json) {
    String type = ctx.contentType();
    if (type == null || !type.toLowerCase(Locale.ROOT).strip().startsWith("application/json")) {
      throw new ApiException(
          415,
          "invalid_request_error",
          "unsupported_media_type",
          null,
          "Content-Type must be application/json, got " + (type == null ? "none" : type),
          null);
    }
    JsonNode root;
    try {
      root = json.readTree(ctx.bodyAsBytes());
    } catch (JsonProcessingException e) {
      throw new ApiException(
          400,
          "invalid_request_error",
          "invalid_json",
          null,
          "request body is not valid JSON: " + e.getOriginalMessage(),
          null);
    } catch (IOException e) {
      throw new ApiException(
          400, "invalid_request_error", "invalid_json", null, "cannot read request body", null);
    }
    if (root == null || !root.isObject()) {
      throw new ApiException(
          400,
          "invalid_request_error",
          "invalid_json",
          null,
          "request body must be a JSON object",
          null);
    }
    return new JsonBody(root);
  }

  /** A string field, or null when absent or null. */
  String text(String field) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return null;
    }
    if (!v.isTextual()) {
      throw new InvalidRequestException(field, field + " must be a string");
    }
    return v.textValue();
  }

  /** A required non-empty string field. */
  String requiredText(String field) {
    String v = text(field);
    if (v == null) {
      throw new InvalidRequestException(field, field + " is required");
    }
    if (v.isBlank()) {
      throw new InvalidRequestException(field, field + " must not be empty");
    }
    return v;
  }

  /** A number field, or {@code fallback}. */
  double number(String field, double fallback) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isNumber()) {
      throw new InvalidRequestException(field, field + " must be a number");
    }
    return v.doubleValue();
  }

  /** An integer field, or {@code fallback}. */
  long integer(String field, long fallback) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isIntegralNumber() || !v.canConvertToLong()) {
      throw new InvalidRequestException(field, field + " must be an integer");
    }
    return v.longValue();
  }

  /** A boolean field, or {@code fallback}. */
  boolean bool(String field, boolean fallback) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      return fallback;
    }
    if (!v.isBoolean()) {
      throw new InvalidRequestException(field, field + " must be true or false");
    }
    return v.booleanValue();
  }

  /** The raw node of a field, or null. */
  JsonNode node(String field) {
    JsonNode v = root.get(field);
    return v == null || v.isNull() ? null : v;
  }
}
