package dev.parlance.tts.livekit.control;

import io.livekit.server.AccessToken;
import io.livekit.server.Agent;
import io.livekit.server.CanPublish;
import io.livekit.server.CanPublishData;
import io.livekit.server.CanSubscribe;
import io.livekit.server.RoomJoin;
import io.livekit.server.RoomName;
import java.time.Duration;
import java.util.Objects;
import livekit.LivekitAgentDispatch.RoomAgentDispatch;
import livekit.LivekitRoom.RoomConfiguration;

/**
 * Mints the access tokens a voice-agent deployment needs, with {@code io.livekit.server}'s {@link
 * AccessToken} (HS256, {@code iss} = API key, {@code sub} = identity).
 */
public final class AccessTokens {
  private final LiveKitCredentials credentials;
  private final Duration ttl;

  /** Tokens valid for {@code ttl}. */
  public AccessTokens(LiveKitCredentials credentials, Duration ttl) {
    this.credentials = Objects.requireNonNull(credentials, "credentials");
    if (ttl == null || ttl.isNegative() || ttl.isZero()) {
      throw new IllegalArgumentException("ttl must be positive");
    }
    this.ttl = ttl;
  }

  /** Tokens valid for one hour. */
  public AccessTokens(LiveKitCredentials credentials) {
    this(credentials, Duration.ofHours(1));
  }

  /**
   * A token for an agent worker: the {@code agent} grant is what the server's {@code /agent}
   * endpoint requires before it accepts a registration.
   */
  public String workerToken() {
    AccessToken token = newToken();
    token.addGrants(new Agent(true));
    return token.toJwt();
  }

  /**
   * A token for a person joining {@code room}: join, publish (microphone), subscribe (the agent's
   * voice) and data. With an {@code agentName}, the room configuration in the token dispatches that
   * agent when the room is created by this join (LiveKit's "dispatch on participant connection").
   *
   * @param agentName agent to dispatch, or null for none
   * @param agentMetadata job metadata for that agent, or null
   */
  public String userToken(String room, String identity, String agentName, String agentMetadata) {
    requireText(room, "room");
    requireText(identity, "identity");
    AccessToken token = newToken();
    token.setIdentity(identity);
    token.setName(identity);
    token.addGrants(
        new RoomJoin(true),
        new RoomName(room),
        new CanPublish(true),
        new CanSubscribe(true),
        new CanPublishData(true));
    if (agentName != null && !agentName.isBlank()) {
      RoomAgentDispatch.Builder dispatch = RoomAgentDispatch.newBuilder().setAgentName(agentName);
      if (agentMetadata != null) {
        dispatch.setMetadata(agentMetadata);
      }
      token.setRoomConfiguration(RoomConfiguration.newBuilder().addAgents(dispatch).build());
    }
    return token.toJwt();
  }

  /**
   * A token for an agent participant joining {@code room} on its own (not through a job assignment,
   * whose token the server issues): join, publish, subscribe, data and the agent grant.
   */
  public String agentParticipantToken(String room, String identity) {
    requireText(room, "room");
    requireText(identity, "identity");
    AccessToken token = newToken();
    token.setIdentity(identity);
    token.addGrants(
        new RoomJoin(true),
        new RoomName(room),
        new Agent(true),
        new CanPublish(true),
        new CanSubscribe(true),
        new CanPublishData(true));
    return token.toJwt();
  }

  private AccessToken newToken() {
    AccessToken token = new AccessToken(credentials.apiKey(), credentials.apiSecret());
    token.setTtl(ttl.toMillis());
    return token;
  }

  private static void requireText(String value, String field) {
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException(field + " must not be empty");
    }
  }
}
