package dev.parlance.tts.livekit.control;

import io.livekit.server.AgentDispatchServiceClient;
import java.io.IOException;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import livekit.LivekitAgentDispatch.AgentDispatch;
import okhttp3.OkHttpClient;
import retrofit2.Call;
import retrofit2.Response;

/**
 * Explicit agent dispatch: asks the LiveKit server to send a named agent into a room (Twirp {@code
 * livekit.AgentDispatchService}, authorised with a short-lived {@code roomAdmin} token the SDK
 * mints per call). Blocking calls; errors become {@link LiveKitApiException}.
 */
public final class AgentDispatcher {
  private final AgentDispatchServiceClient client;

  /**
   * @param host the server's HTTP(S) URL, e.g. {@code https://my.livekit.cloud}
   */
  public AgentDispatcher(String host, LiveKitCredentials credentials) {
    this(host, credentials, OkHttpClient::new);
  }

  /** With a caller-configured HTTP client (timeouts, proxies). */
  public AgentDispatcher(
      String host, LiveKitCredentials credentials, Supplier<OkHttpClient> httpClient) {
    Objects.requireNonNull(credentials, "credentials");
    this.client =
        AgentDispatchServiceClient.createClient(
            Objects.requireNonNull(host, "host"),
            credentials.apiKey(),
            credentials.apiSecret(),
            httpClient);
  }

  /** Sends agent {@code agentName} into {@code room}, with {@code metadata} for its job. */
  public AgentDispatch dispatch(String room, String agentName, String metadata) {
    return execute(client.createDispatch(room, agentName, metadata == null ? "" : metadata));
  }

  /** The dispatches in {@code room}. */
  public List<AgentDispatch> list(String room) {
    return execute(client.listDispatch(room));
  }

  /** Cancels dispatch {@code dispatchId} in {@code room}. */
  public AgentDispatch delete(String dispatchId, String room) {
    // the SDK's parameter order is (room, dispatchId)
    return execute(client.deleteDispatch(room, dispatchId));
  }

  private static <T> T execute(Call<T> call) {
    Response<T> response;
    try {
      response = call.execute();
    } catch (IOException e) {
      throw new LiveKitApiException(
          "LiveKit API call " + call.request().url() + " failed: " + e, 0, e);
    }
    if (!response.isSuccessful()) {
      String body;
      try (var error = response.errorBody()) {
        body = error == null ? "" : error.string();
      } catch (IOException e) {
        body = "";
      }
      throw new LiveKitApiException(
          "LiveKit API call "
              + call.request().url().encodedPath()
              + " returned "
              + response.code()
              + ": "
              + body,
          response.code(),
          null);
    }
    return response.body();
  }
}
