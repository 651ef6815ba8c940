/** Sentence segmentation of text streamed in by an LLM. */
package dev.parlance.tts.livekit.text;
