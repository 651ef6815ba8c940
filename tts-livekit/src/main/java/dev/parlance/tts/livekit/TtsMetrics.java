package dev.parlance.tts.livekit;

import java.time.Duration;
import java.time.Instant;

/**
 * Measurements of one request ({@link ChunkedStream}) or one segment ({@link SynthesizeStream}), as
 * Agents' {@code TTSMetrics}. Reported to {@link TtsListener}s when the final frame is emitted or
 * when the stream is cancelled.
 *
 * @param label the {@link Tts#label()}
 * @param requestId the last engine request of the segment
 * @param segmentId the segment; equals the request id for chunked synthesis
 * @param timestamp when the measurement was reported
 * @param ttfb from the first text sent to the engine to the first audio frame; {@code
 *     Duration.ZERO} when no audio came
 * @param duration from the first text sent to the end of the segment (or to cancellation)
 * @param audioDuration how long the emitted audio plays for
 * @param charactersCount characters of text sent to the engine
 * @param cancelled the stream was closed before the segment finished
 * @param streamed produced by a {@link SynthesizeStream}
 */
public record TtsMetrics(
    String label,
    String requestId,
    String segmentId,
    Instant timestamp,
    Duration ttfb,
    Duration duration,
    Duration audioDuration,
    int charactersCount,
    boolean cancelled,
    boolean streamed) {}
