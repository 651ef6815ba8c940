package dev.parlance.tts.livekit.worker;

import dev.parlance.tts.livekit.control.LiveKitCredentials;
import java.time.Duration;
import java.util.Objects;
import livekit.LivekitAgent.JobType;
import livekit.LivekitModels.ParticipantPermission;

/**
 * How an {@link AgentWorker} connects and what it offers. Defaults follow LiveKit Agents' worker:
 * status every 2.5 s, reconnect with exponential backoff, 16 attempts.
 *
 * @param url the LiveKit server, {@code ws(s)://} or {@code http(s)://}; {@code /agent} is appended
 * @param credentials API key and secret; the worker token carries the {@code agent} grant
 * @param agentName name for explicit dispatch; empty: automatic dispatch to every new room
 * @param version reported to the server
 * @param jobType which jobs to take
 * @param permissions what the agent participant may do in the room
 * @param maxJobs jobs run at once; more are declined and the worker reports itself full
 * @param statusInterval how often load is reported
 * @param pingInterval how often the connection is pinged
 * @param pongTimeout no pong for this long: the connection is considered dead and replaced
 * @param registerTimeout no registration answer for this long: reconnect
 * @param initialBackoff first reconnect delay, doubled per failure (with jitter)
 * @param maxBackoff longest reconnect delay
 * @param maxReconnectAttempts failed connections in a row before the worker gives up
 * @param audioOutputs opens each job's audio output; null: jobs have none
 */
public record AgentWorkerOptions(
    String url,
    LiveKitCredentials credentials,
    String agentName,
    String version,
    JobType jobType,
    ParticipantPermission permissions,
    int maxJobs,
    Duration statusInterval,
    Duration pingInterval,
    Duration pongTimeout,
    Duration registerTimeout,
    Duration initialBackoff,
    Duration maxBackoff,
    int maxReconnectAttempts,
    AudioOutputFactory audioOutputs) {

  public AgentWorkerOptions {
    Objects.requireNonNull(url, "url");
    if (!url.matches("(?i)(wss?|https?)://.+")) {
      throw new IllegalArgumentException("url must be ws(s):// or http(s)://, got " + url);
    }
    Objects.requireNonNull(credentials, "credentials");
    agentName = agentName == null ? "" : agentName;
    version = version == null ? "" : version;
    Objects.requireNonNull(jobType, "jobType");
    Objects.requireNonNull(permissions, "permissions");
    if (maxJobs < 1) {
      throw new IllegalArgumentException("maxJobs must be >= 1, got " + maxJobs);
    }
    if (maxReconnectAttempts < 0) {
      throw new IllegalArgumentException("maxReconnectAttempts must be >= 0");
    }
    for (Duration d :
        new Duration[] {
          statusInterval, pingInterval, pongTimeout, registerTimeout, initialBackoff, maxBackoff
        }) {
      if (d == null || d.isNegative() || d.isZero()) {
        throw new IllegalArgumentException("intervals and timeouts must be positive");
      }
    }
  }

  /** The {@code /agent} WebSocket URL. */
  String agentUrl() {
    String base = url.replaceFirst("(?i)^http", "ws");
    return (base.endsWith("/") ? base.substring(0, base.length() - 1) : base) + "/agent";
  }

  public static Builder builder(String url, LiveKitCredentials credentials) {
    return new Builder(url, credentials);
  }

  /** Fluent construction with the defaults above. */
  public static final class Builder {
    private final String url;
    private final LiveKitCredentials credentials;
    private String agentName = "";
    private String version = "parlance";
    private JobType jobType = JobType.JT_ROOM;
    private ParticipantPermission permissions = defaultPermissions();
    private int maxJobs = 4;
    private Duration statusInterval = Duration.ofMillis(2500);
    private Duration pingInterval = Duration.ofSeconds(10);
    private Duration pongTimeout = Duration.ofSeconds(30);
    private Duration registerTimeout = Duration.ofSeconds(10);
    private Duration initialBackoff = Duration.ofMillis(500);
    private Duration maxBackoff = Duration.ofSeconds(15);
    private int maxReconnectAttempts = 16;
    private AudioOutputFactory audioOutputs;

    /** What the Python and Node workers register with, {@code agent} included. */
    @SuppressWarnings("deprecation") // the official workers still set the deprecated agent flag
    private static ParticipantPermission defaultPermissions() {
      return ParticipantPermission.newBuilder()
          .setCanPublish(true)
          .setCanSubscribe(true)
          .setCanPublishData(true)
          .setCanUpdateMetadata(true)
          .setAgent(true)
          .build();
    }

    private Builder(String url, LiveKitCredentials credentials) {
      this.url = url;
      this.credentials = credentials;
    }

    public Builder agentName(String value) {
      agentName = value;
      return this;
    }

    public Builder version(String value) {
      version = value;
      return this;
    }

    public Builder jobType(JobType value) {
      jobType = value;
      return this;
    }

    public Builder permissions(ParticipantPermission value) {
      permissions = value;
      return this;
    }

    public Builder maxJobs(int value) {
      maxJobs = value;
      return this;
    }

    public Builder statusInterval(Duration value) {
      statusInterval = value;
      return this;
    }

    public Builder pingInterval(Duration value) {
      pingInterval = value;
      return this;
    }

    public Builder pongTimeout(Duration value) {
      pongTimeout = value;
      return this;
    }

    public Builder registerTimeout(Duration value) {
      registerTimeout = value;
      return this;
    }

    public Builder backoff(Duration initial, Duration max) {
      initialBackoff = initial;
      maxBackoff = max;
      return this;
    }

    public Builder maxReconnectAttempts(int value) {
      maxReconnectAttempts = value;
      return this;
    }

    public Builder audioOutputs(AudioOutputFactory value) {
      audioOutputs = value;
      return this;
    }

    public AgentWorkerOptions build() {
      return new AgentWorkerOptions(
          url,
          credentials,
          agentName,
          version,
          jobType,
          permissions,
          maxJobs,
          statusInterval,
          pingInterval,
          pongTimeout,
          registerTimeout,
          initialBackoff,
          maxBackoff,
          maxReconnectAttempts,
          audioOutputs);
    }
  }
}
