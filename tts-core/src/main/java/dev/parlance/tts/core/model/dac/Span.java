package dev.parlance.tts.core.model.dac;

/**
 * Half-open range {@code [from, to)} of time positions at one layer's resolution. Used to compute
 * the decoder's receptive field: which outputs stay exact when only a window of inputs is exact.
 */
record Span(long from, long to) {}
