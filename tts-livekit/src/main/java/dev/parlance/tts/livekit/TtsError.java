package dev.parlance.tts.livekit;

/**
 * A failure reported to {@link TtsListener}s, as Agents' {@code TTSError}.
 *
 * @param label the {@link Tts#label()}
 * @param error what went wrong
 * @param recoverable a retry follows (no audio of the request had been emitted yet)
 */
public record TtsError(String label, Throwable error, boolean recoverable) {}
