package dev.parlance.tts.livekit.worker;

import dev.parlance.tts.livekit.output.AudioOutput;
import livekit.LivekitAgent.Job;

/** Opens the audio output for a job; the worker closes it when the job ends. */
@FunctionalInterface
public interface AudioOutputFactory {

  /**
   * @param job the assigned job
   * @param url the LiveKit URL from the assignment
   * @param token the job's participant token
   */
  AudioOutput open(Job job, String url, String token);
}
