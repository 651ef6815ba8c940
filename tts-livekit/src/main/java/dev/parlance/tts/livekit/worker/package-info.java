/**
 * A LiveKit agent worker in Java: the {@code /agent} WebSocket protocol (register, availability,
 * assignment, job status, load, ping, reconnect), handing each job to a {@link
 * dev.parlance.tts.livekit.worker.JobHandler} with a pluggable audio output. In-room WebRTC media
 * is not implemented here.
 */
package dev.parlance.tts.livekit.worker;
