/**
 * The Parlance text-to-speech SPI: the small contract that the HTTP server, the LiveKit adapter and
 * host applications depend on, and that engines implement.
 *
 * <p>An application picks an engine with one line:
 *
 * <pre>{@code
 * try (TtsEngine engine = TtsEngines.load("parler", TtsEngineConfig.builder()
 *     .model("parler-tts/parler-tts-mini-v1").build())) {
 *   AudioClip clip = engine.synthesize(TtsRequest.of("Hello there."));
 * }
 * }</pre>
 *
 * <p>Requests are validated when they are built ({@link dev.parlance.tts.spi.TtsRequest}), so every
 * adapter rejects bad input with the same message. Failures are unchecked {@link
 * dev.parlance.tts.spi.TtsException}s whose {@link dev.parlance.tts.spi.TtsException#kind() kind}
 * maps to a protocol status.
 */
package dev.parlance.tts.spi;
