package dev.parlance.tts.livekit;

import java.util.Objects;

/**
 * One frame of synthesised speech with its bookkeeping, as Agents' {@code SynthesizedAudio}.
 *
 * @param frame the audio
 * @param requestId the engine request that produced it (the newest one, when a frame holds the end
 *     of one sentence and the start of the next); one segment may span several requests
 * @param segmentId the segment (text between two {@link SynthesizeStream#flush()}es) it belongs to
 * @param isFinal whether this is the last frame of its segment
 * @param deltaText the text whose audio starts in this frame; empty on most frames
 */
public record SynthesizedAudio(
    AudioFrame frame, String requestId, String segmentId, boolean isFinal, String deltaText) {

  public SynthesizedAudio {
    Objects.requireNonNull(frame, "frame");
    Objects.requireNonNull(requestId, "requestId");
    Objects.requireNonNull(segmentId, "segmentId");
    deltaText = deltaText == null ? "" : deltaText;
  }
}
