package dev.parlance.tts.livekit.worker;

import dev.parlance.tts.livekit.output.AudioOutput;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import livekit.LivekitAgent.Job;

/**
 * An assigned job: the room, the server URL to connect to and the participant token the server
 * issued for it (the job token carries the agent's room grants), plus the audio output the worker
 * was configured with.
 */
public final class JobContext {
  private final Job job;
  private final String url;
  private final String token;
  private final String workerId;
  private final AudioOutput audioOutput;
  private final List<Runnable> shutdownCallbacks = new CopyOnWriteArrayList<>();
  private volatile boolean cancelled;

  JobContext(Job job, String url, String token, String workerId, AudioOutput audioOutput) {
    this.job = job;
    this.url = url;
    this.token = token;
    this.workerId = workerId;
    this.audioOutput = audioOutput;
  }

  /** The job as the server described it (id, room, dispatch metadata, agent name, …). */
  public Job job() {
    return job;
  }

  /** The room's name. */
  public String roomName() {
    return job.getRoom().getName();
  }

  /** The LiveKit URL to join the room at. */
  public String url() {
    return url;
  }

  /** The participant token for joining the room as this job's agent. */
  public String token() {
    return token;
  }

  /** The id the server gave this worker. */
  public String workerId() {
    return workerId;
  }

  /**
   * Where the job's speech goes.
   *
   * @throws IllegalStateException the worker has no {@link AudioOutputFactory}
   */
  public AudioOutput audioOutput() {
    if (audioOutput == null) {
      throw new IllegalStateException("no audio output configured for this worker");
    }
    return audioOutput;
  }

  /** The job was terminated by the server or the worker is closing. */
  public boolean isCancelled() {
    return cancelled;
  }

  /** Runs {@code callback} when the job is cancelled (e.g. to close a TTS stream). */
  public void addShutdownCallback(Runnable callback) {
    shutdownCallbacks.add(callback);
    if (cancelled) {
      callback.run();
    }
  }

  void cancel() {
    if (cancelled) {
      return;
    }
    cancelled = true;
    for (Runnable callback : shutdownCallbacks) {
      callback.run();
    }
  }
}
