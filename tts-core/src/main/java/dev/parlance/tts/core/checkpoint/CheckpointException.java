package dev.parlance.tts.core.checkpoint;

/**
 * A checkpoint cannot be used: a file is missing, truncated or corrupt, or tensors are missing or
 * have the wrong shape. The message names the file and what is wrong.
 */
public class CheckpointException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  public CheckpointException(String message) {
    super(message);
  }

  public CheckpointException(String message, Throwable cause) {
    super(message, cause);
  }
}
