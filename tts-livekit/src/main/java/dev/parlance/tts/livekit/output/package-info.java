/**
 * Audio sinks for an agent's speech: the {@link dev.parlance.tts.livekit.output.AudioOutput}
 * interface.
 */
package dev.parlance.tts.livekit.output;
