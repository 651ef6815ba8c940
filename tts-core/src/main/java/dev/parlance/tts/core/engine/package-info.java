/**
 * The {@code parler} {@link dev.parlance.tts.spi.TtsEngine}: the runtime (admission, continuous
 * batching, caches, voices, long text, health, metrics) composed over the Parler model; {@link
 * dev.parlance.tts.core.engine.ParlerEngine} is the entry point, {@code ParlerStepper} the model
 * side of the batch scheduler.
 */
package dev.parlance.tts.core.engine;
