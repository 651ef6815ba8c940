/**
 * The {@code parler} {@link dev.parlance.tts.spi.TtsEngine}: admission, one NDManager scope per
 * request, streaming in seam-free DAC windows and cancellation between decoder steps.
 */
package dev.parlance.tts.core.engine;
