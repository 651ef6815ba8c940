/**
 * The in-process binding: {@link dev.parlance.tts.livekit.engine.EngineTts} speaks through a {@link
 * dev.parlance.tts.spi.TtsEngine} in the same JVM.
 */
package dev.parlance.tts.livekit.engine;
