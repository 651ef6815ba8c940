package dev.parlance.tts.http.api;

import dev.parlance.tts.http.codec.ResponseFormat;
import dev.parlance.tts.spi.TtsRequest;

/**
 * One validated synthesis to answer over HTTP.
 *
 * @param endpoint the route, for metrics
 * @param request what to synthesise
 * @param format the container
 * @param sampleRate the rate the client asked for, 0 for the format's default
 * @param delivery how the bytes travel
 */
record SpeechJob(
    String endpoint, TtsRequest request, ResponseFormat format, int sampleRate, Delivery delivery) {

  /** How audio reaches the client. */
  enum Delivery {
    /** One complete file with a Content-Length (exact WAV/FLAC headers). */
    BUFFERED,
    /** Chunked bytes as they are produced. */
    STREAM,
    /** Server-sent events: {@code speech.audio.delta} then {@code speech.audio.done}. */
    SSE
  }
}
