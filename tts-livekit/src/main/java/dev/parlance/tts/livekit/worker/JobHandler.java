package dev.parlance.tts.livekit.worker;

import livekit.LivekitAgent.Job;

/** The agent's logic: decides on job offers and runs assigned jobs. */
public interface JobHandler {

  /**
   * A job is offered. Called off the connection thread; answer within a few seconds, the server
   * moves on otherwise. Accepts by default.
   */
  default JobAcceptance onJobRequest(Job job) {
    return JobAcceptance.accept();
  }

  /**
   * Runs an assigned job on its own thread. Returning ends the job as succeeded, throwing as
   * failed. When the server terminates the job or the worker closes, the thread is interrupted and
   * {@link JobContext#isCancelled()} turns true.
   */
  void onJob(JobContext context) throws Exception;
}
