/**
 * The Parler decoder: summed codebook embeddings, sinusoidal or rotary positions, pre-LN layers
 * with causal self-attention over a preallocated KV cache (MHA/GQA/MQA) and cross-attention to the
 * description (keys/values computed once per request), final LayerNorm and stacked LM heads.
 */
package dev.parlance.tts.core.model.decoder;
