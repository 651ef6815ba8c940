/**
 * Parler-TTS as a whole: {@link dev.parlance.tts.core.model.ParlerConfig} (config.json and
 * generation_config.json) and {@link dev.parlance.tts.core.model.ParlerModel}, which composes the
 * tokenizers, the T5 description encoder, the conditioning glue ({@code enc_to_dec_proj}, masks,
 * {@code embed_prompts}), the decoder and the DAC.
 */
package dev.parlance.tts.core.model;
