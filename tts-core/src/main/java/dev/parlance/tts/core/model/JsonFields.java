package dev.parlance.tts.core.model;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.parlance.tts.core.checkpoint.CheckpointException;

/** Typed reads of config.json fields that fail with the field's path in the message. */
public final class JsonFields {
  private JsonFields() {}

  /** A required integer field. */
  public static int requireInt(JsonObject o, String where, String name) {
    JsonElement e = o.get(name);
    if (e == null || e.isJsonNull()) {
      throw new CheckpointException(where + "." + name + " is missing");
    }
    try {
      return e.getAsInt();
    } catch (RuntimeException ex) {
      throw new CheckpointException(where + "." + name + " must be an integer, got " + e);
    }
  }

  /** An optional integer field, {@code fallback} when absent or null. */
  public static int optInt(JsonObject o, String where, String name, int fallback) {
    JsonElement e = o.get(name);
    return e == null || e.isJsonNull() ? fallback : requireInt(o, where, name);
  }

  /** An optional number field. */
  public static double optDouble(JsonObject o, String where, String name, double fallback) {
    JsonElement e = o.get(name);
    if (e == null || e.isJsonNull()) {
      return fallback;
    }
    try {
      return e.getAsDouble();
    } catch (RuntimeException ex) {
      throw new CheckpointException(where + "." + name + " must be a number, got " + e);
    }
  }

  /** An optional boolean field. */
  public static boolean optBool(JsonObject o, String where, String name, boolean fallback) {
    JsonElement e = o.get(name);
    if (e == null || e.isJsonNull()) {
      return fallback;
    }
    try {
      return e.getAsBoolean();
    } catch (RuntimeException ex) {
      throw new CheckpointException(where + "." + name + " must be true or false, got " + e);
    }
  }

  /** An optional string field. */
  public static String optString(JsonObject o, String name, String fallback) {
    JsonElement e = o.get(name);
    return e == null || e.isJsonNull() ? fallback : e.getAsString();
  }

  /** A required nested object. */
  public static JsonObject requireObject(JsonObject o, String where, String name) {
    JsonElement e = o.get(name);
    if (e == null || !e.isJsonObject()) {
      throw new CheckpointException(where + "." + name + " is missing or not an object");
    }
    return e.getAsJsonObject();
  }
}
