/**
 * The LiveKit control plane with {@code io.livekit:livekit-server}: access tokens (users, agent
 * workers, agent dispatch in the room configuration), explicit agent dispatch and webhook
 * verification.
 */
package dev.parlance.tts.livekit.control;
