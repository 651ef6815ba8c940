/**
 * The T5 text encoder that conditions Parler-TTS on the voice description (flan-T5 gated-GELU, or
 * the original ReLU T5), loaded from a checkpoint's {@code text_encoder.*} tensors.
 */
package dev.parlance.tts.core.model.t5;
