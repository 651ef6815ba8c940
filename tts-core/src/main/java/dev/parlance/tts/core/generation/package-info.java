/**
 * Generation as the reference does it: delay pattern build/apply/revert, Parler's EOS processor,
 * {@code min_new_tokens}, {@code max_length}, per-row stopping, and greedy or seeded sampling
 * (temperature, top-k, top-p) on the logits' device, uniforms drawn on the host.
 */
package dev.parlance.tts.core.generation;
