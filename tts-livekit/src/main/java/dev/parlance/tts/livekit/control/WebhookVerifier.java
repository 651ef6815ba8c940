package dev.parlance.tts.livekit.control;

import io.livekit.server.WebhookReceiver;
import java.util.Objects;
import livekit.LivekitWebhook.WebhookEvent;

/**
 * Checks and parses LiveKit webhooks: the {@code Authorization} header is a JWT signed with the API
 * secret whose {@code sha256} claim is the body's digest, so a forged or altered body is refused
 * ({@link WebhookReceiver} does the checking).
 */
public final class WebhookVerifier {
  private final WebhookReceiver receiver;

  public WebhookVerifier(LiveKitCredentials credentials) {
    Objects.requireNonNull(credentials, "credentials");
    this.receiver = new WebhookReceiver(credentials.apiKey(), credentials.apiSecret());
  }

  /**
   * The event in {@code body}, if {@code authorization} vouches for it.
   *
   * @param body the raw request body, exactly as received
   * @param authorization the {@code Authorization} header (a bare JWT, as LiveKit sends it)
   * @throws WebhookRejectedException missing header, bad signature, wrong key or altered body
   */
  public WebhookEvent verify(String body, String authorization) {
    if (authorization == null || authorization.isBlank()) {
      throw new WebhookRejectedException("Authorization header is missing", null);
    }
    if (body == null) {
      throw new WebhookRejectedException("body is missing", null);
    }
    try {
      return receiver.receive(body, authorization.trim());
    } catch (RuntimeException e) {
      throw new WebhookRejectedException("webhook rejected: " + e.getMessage(), e);
    }
  }

  /** A webhook that must not be trusted. */
  public static final class WebhookRejectedException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public WebhookRejectedException(String message, Throwable cause) {
      super(message, cause);
    }
  }
}
