/** PCM framing for LiveKit: fixed 10/20 ms 16-bit frames with a held-back final frame. */
package dev.parlance.tts.livekit.audio;
