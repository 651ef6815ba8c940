/**
 * Tokenizers for Parler-TTS: the T5 description tokenizer and the prompt (transcript) tokenizer,
 * loaded from a checkpoint's {@code tokenizer.json} files with HuggingFace tokenizers (DJL JNI).
 */
package dev.parlance.tts.core.tokenizer;
