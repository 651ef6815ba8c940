package dev.parlance.tts.livekit;

/**
 * What a {@link Tts} can do, as LiveKit Agents' {@code TTSCapabilities}.
 *
 * @param streaming {@link Tts#stream()} is supported (text can be pushed incrementally)
 * @param alignedTranscript frames carry word timings (not produced by Parler-TTS)
 */
public record TtsCapabilities(boolean streaming, boolean alignedTranscript) {}
