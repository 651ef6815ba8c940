package dev.parlance.tts.spi;

import java.time.Duration;

/**
 * What an engine can do, so adapters can advertise it and validate early.
 *
 * @param streaming chunks arrive before synthesis ends (otherwise {@link TtsEngine#stream} yields
 *     one chunk)
 * @param voiceDescriptions free-text {@link Voice.Described} voices are accepted
 * @param seededSampling the same seed gives the same audio
 * @param maxTextChars longest text accepted, at most {@link TtsRequest#MAX_TEXT_CHARS}
 * @param maxAudioDuration longest audio one request can produce
 */
public record Capabilities(
    boolean streaming,
    boolean voiceDescriptions,
    boolean seededSampling,
    int maxTextChars,
    Duration maxAudioDuration) {}
