package dev.parlance.tts.http.api;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parlance.tts.http.api.SynthesisObserver.Outcome;
import dev.parlance.tts.http.codec.Transcoder;
import dev.parlance.tts.http.error.ApiException;
import dev.parlance.tts.http.error.ErrorResponses;
import dev.parlance.tts.http.lifecycle.Admission;
import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsException;
import io.javalin.http.Context;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs a {@link SpeechJob} on the engine and writes the audio to the response: whole, chunked as it
 * is produced, or as OpenAI-style server-sent events. A client that hangs up stops synthesis: the
 * failed write closes the engine's stream.
 */
public final class AudioResponder {
  private static final Logger log = LoggerFactory.getLogger(AudioResponder.class);

  private final Admission admission;
  private final ObjectMapper json;
  private final SynthesisObserver observer;

  public AudioResponder(Admission admission, ObjectMapper json, SynthesisObserver observer) {
    this.admission = admission;
    this.json = json;
    this.observer = observer;
  }

  void respond(Context ctx, TtsEngine engine, SpeechJob job) throws IOException {
    Transcoder transcoder = new Transcoder(job.format(), engine.audioFormat(), job.sampleRate());
    long start = System.nanoTime();
    String format = job.format().id();
    try (Admission.Permit permit = admission.acquire()) {
      AudioStream stream;
      try {
        stream = engine.stream(job.request());
      } catch (TtsException e) {
        observer.finished(job.endpoint(), format, Outcome.REJECTED, 0, System.nanoTime() - start);
        throw ErrorResponses.fromEngine(e);
      }
      permit.onAbort(stream::close);
      try (stream) {
        Writer writer = writerFor(ctx, job, transcoder);
        Outcome outcome = Outcome.FAILED;
        long samples = 0;
        try {
          writer.begin(transcoder.start());
          boolean first = true;
          while (stream.hasNext()) {
            AudioChunk chunk = stream.next();
            samples += chunk.size();
            writer.audio(transcoder.accept(chunk.samples()));
            if (first && chunk.size() > 0) {
              observer.firstAudio(job.endpoint(), System.nanoTime() - start);
              first = false;
            }
          }
          writer.end(transcoder.finish(), transcoder);
          outcome = Outcome.OK;
        } catch (IOException e) {
          // The client hung up: closing the stream (try-with-resources) stops synthesis.
          outcome = Outcome.CLIENT_GONE;
          log.atInfo().addKeyValue("request_id", job.request().id()).log("client disconnected");
        } catch (TtsException e) {
          if (!writer.committed()) {
            throw ErrorResponses.fromEngine(e);
          }
          // Headers are gone: all that is left is to say so (SSE) and stop.
          log.atWarn()
              .addKeyValue("request_id", job.request().id())
              .addKeyValue("kind", e.kind().name())
              .log("synthesis failed mid-stream: {}", e.getMessage());
          writer.fail(ErrorResponses.fromEngine(e));
        } finally {
          double seconds = engine.audioFormat().secondsOf(samples);
          observer.finished(job.endpoint(), format, outcome, seconds, System.nanoTime() - start);
        }
      }
    }
  }

  private Writer writerFor(Context ctx, SpeechJob job, Transcoder transcoder) {
    ctx.header("X-Sample-Rate", Integer.toString(transcoder.sampleRate()));
    switch (job.delivery()) {
      case BUFFERED:
        return new BufferedWriter(ctx, transcoder.contentType());
      case SSE:
        return new SseWriter(ctx, json, job.request().text().length());
      case STREAM:
      default:
        return new StreamWriter(ctx, transcoder.contentType());
    }
  }

  /** Where encoded bytes go. */
  private interface Writer {
    void begin(byte[] header) throws IOException;

    void audio(byte[] bytes) throws IOException;

    void end(byte[] tail, Transcoder transcoder) throws IOException;

    /** Whether the status and headers have left. */
    boolean committed();

    /** Reports a failure after commit, where the format allows it. */
    default void fail(ApiException e) {}
  }

  /** Collects the whole file, then sends it with exact sizes and a Content-Length. */
  private static final class BufferedWriter implements Writer {
    private final Context ctx;
    private final String contentType;
    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    BufferedWriter(Context ctx, String contentType) {
      this.ctx = ctx;
      this.contentType = contentType;
    }

    @Override
    public void begin(byte[] header) {
      out.writeBytes(header);
    }

    @Override
    public void audio(byte[] bytes) {
      out.writeBytes(bytes);
    }

    @Override
    public void end(byte[] tail, Transcoder transcoder) {
      out.writeBytes(tail);
      byte[] file = transcoder.complete(out.toByteArray());
      ctx.contentType(contentType)
          .header("Content-Length", Integer.toString(file.length))
          .result(file);
    }

    @Override
    public boolean committed() {
      return false;
    }
  }

  /** Chunked transfer: each piece is flushed as soon as it is encoded. */
  private static final class StreamWriter implements Writer {
    private final Context ctx;
    private final String contentType;
    private OutputStream out;

    StreamWriter(Context ctx, String contentType) {
      this.ctx = ctx;
      this.contentType = contentType;
    }

    @Override
    public void begin(byte[] header) throws IOException {
      ctx.status(200).contentType(contentType).disableCompression();
      out = ctx.res().getOutputStream(); // Jetty's own stream: Javalin's wrapper defers flushes
      write(header);
      out.flush(); // status and header now, so clients see a response before the audio
    }

    @Override
    public void audio(byte[] bytes) throws IOException {
      write(bytes);
    }

    @Override
    public void end(byte[] tail, Transcoder transcoder) throws IOException {
      write(tail);
    }

    private void write(byte[] bytes) throws IOException {
      if (bytes.length > 0) {
        out.write(bytes);
        out.flush();
      }
    }

    @Override
    public boolean committed() {
      return out != null;
    }
  }

  /** OpenAI's {@code stream_format: "sse"}: base64 audio in {@code speech.audio.delta} events. */
  private static final class SseWriter implements Writer {
    private final Context ctx;
    private final ObjectMapper json;
    private final int inputChars;
    private OutputStream out;

    SseWriter(Context ctx, ObjectMapper json, int inputChars) {
      this.ctx = ctx;
      this.json = json;
      this.inputChars = inputChars;
    }

    @Override
    public void begin(byte[] header) throws IOException {
      ctx.status(200)
          .contentType("text/event-stream")
          .header("Cache-Control", "no-cache")
          .header("X-Accel-Buffering", "no")
          .disableCompression();
      out = ctx.res().getOutputStream(); // Jetty's own stream: Javalin's wrapper defers flushes
      audio(header);
      out.flush();
    }

    @Override
    public void audio(byte[] bytes) throws IOException {
      if (bytes.length > 0) {
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("type", "speech.audio.delta");
        event.put("audio", Base64.getEncoder().encodeToString(bytes));
        send(event);
      }
    }

    @Override
    public void end(byte[] tail, Transcoder transcoder) throws IOException {
      audio(tail);
      Map<String, Object> usage = new LinkedHashMap<>();
      // Parler has no audio tokens to bill; input is counted in characters.
      usage.put("input_tokens", inputChars);
      usage.put("output_tokens", 0);
      usage.put("total_tokens", inputChars);
      Map<String, Object> event = new LinkedHashMap<>();
      event.put("type", "speech.audio.done");
      event.put("usage", usage);
      send(event);
    }

    @Override
    public void fail(ApiException e) {
      try {
        Map<String, Object> event = new LinkedHashMap<>(ErrorResponses.body(e));
        event.put("type", "error");
        send(event);
      } catch (IOException ignored) {
        // the client is gone too
      }
    }

    private void send(Map<String, Object> event) throws IOException {
      String type = (String) event.get("type");
      String frame = "event: " + type + "\ndata: " + json.writeValueAsString(event) + "\n\n";
      out.write(frame.getBytes(StandardCharsets.UTF_8));
      out.flush();
    }

    @Override
    public boolean committed() {
      return out != null;
    }
  }
}
