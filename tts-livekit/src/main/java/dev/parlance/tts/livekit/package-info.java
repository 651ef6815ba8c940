/**
 * LiveKit Agents' TTS contract in Java, and the Parlance engine behind it.
 *
 * <p>The types here mirror {@code livekit.agents.tts} (Python) and {@code @livekit/agents}' {@code
 * tts} (Node): a {@link dev.parlance.tts.livekit.Tts} declares its capabilities, sample rate and
 * channels; {@link dev.parlance.tts.livekit.Tts#synthesize(String)} turns one text into a {@link
 * dev.parlance.tts.livekit.ChunkedStream}; {@link dev.parlance.tts.livekit.Tts#stream()} opens a
 * {@link dev.parlance.tts.livekit.SynthesizeStream} that takes text as an LLM produces it. Both
 * yield {@link dev.parlance.tts.livekit.SynthesizedAudio}: 16-bit PCM frames of a fixed 10 or 20
 * ms, the last one of each segment flagged final.
 *
 * <p>Subpackages: {@code engine} binds a {@link dev.parlance.tts.spi.TtsEngine} in-process; {@code
 * audio} frames PCM; {@code text} splits streamed text into sentences; {@code control} and {@code
 * worker} talk to a LiveKit server (tokens, dispatch, webhooks, the agent worker protocol).
 */
package dev.parlance.tts.livekit;
