package dev.parlance.tts.livekit.control;

/** A LiveKit server API call failed: the HTTP status and the server's (Twirp) error body. */
public final class LiveKitApiException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  private final int status;

  public LiveKitApiException(String message, int status, Throwable cause) {
    super(message, cause);
    this.status = status;
  }

  /** HTTP status, e.g. 401 (bad token), 403 (missing grant); 0 when no response came. */
  public int status() {
    return status;
  }
}
