package dev.parlance.tts.livekit.worker;

import java.util.Map;

/**
 * A worker's answer to a job offer (the {@code AvailabilityResponse}).
 *
 * @param available take the job
 * @param identity participant identity the agent will join with; empty: the server's default
 * @param name participant display name
 * @param metadata participant metadata
 * @param attributes participant attributes
 */
public record JobAcceptance(
    boolean available,
    String identity,
    String name,
    String metadata,
    Map<String, String> attributes) {

  public JobAcceptance {
    identity = identity == null ? "" : identity;
    name = name == null ? "" : name;
    metadata = metadata == null ? "" : metadata;
    attributes = Map.copyOf(attributes == null ? Map.of() : attributes);
  }

  /** Take the job with the server's default identity. */
  public static JobAcceptance accept() {
    return new JobAcceptance(true, "", "", "", Map.of());
  }

  /** Take the job as {@code identity} named {@code name}. */
  public static JobAcceptance accept(String identity, String name) {
    return new JobAcceptance(true, identity, name, "", Map.of());
  }

  /** Decline; the server offers the job to another worker. */
  public static JobAcceptance reject() {
    return new JobAcceptance(false, "", "", "", Map.of());
  }
}
