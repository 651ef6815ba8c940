package dev.parlance.tts.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parlance.tts.http.codec.ResponseFormat;
import dev.parlance.tts.http.codec.Transcoder;
import dev.parlance.tts.http.error.ApiException;
import dev.parlance.tts.http.error.ErrorResponses;
import dev.parlance.tts.http.lifecycle.Admission;
import dev.parlance.tts.http.lifecycle.EngineHolder;
import dev.parlance.tts.http.security.ApiKeys;
import dev.parlance.tts.http.voice.ServerVoices.ResolvedVoice;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsException;
import dev.parlance.tts.spi.TtsRequest;
import io.javalin.config.RoutesConfig;
import io.javalin.websocket.WsCloseStatus;
import io.javalin.websocket.WsContext;
import io.javalin.websocket.WsMessageContext;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.UUID;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * {@code /v1/audio/speech/ws}: streaming speech for agents. Text arrives in pieces (LLM tokens) and
 * is spoken sentence by sentence; audio goes out as binary frames of 16-bit little-endian mono PCM
 * with JSON events between them.
 *
 * <p>Client messages (JSON text frames): {@code {"type":"config", "voice", "instructions",
 * "sample_rate", "seed"}}, {@code {"type":"text","text":"..."}}, {@code {"type":"flush"}} (speak
 * what is buffered now), {@code {"type":"cancel"}} (stop speaking, drop what is queued), {@code
 * {"type":"end"}} (speak the rest, then close). Server events: {@code ready}, {@code
 * segment.started}, {@code segment.finished}, {@code cancelled}, {@code error}, {@code done}.
 * Closing the socket cancels too. The server pings at an interval so idle connections survive load
 * balancers.
 */
public final class SpeechSocket {
  public static final String PATH = "/v1/audio/speech/ws";

  private static final Logger log = LoggerFactory.getLogger(SpeechSocket.class);

  /** Text up to the last sentence end followed by space, or a newline. */
  private static final Pattern SENTENCE_END =
      Pattern.compile("[.!?;:\u2026\u3002]+[\"')\\]]*\\s+|\\n+");

  private static final int MAX_QUEUED_SEGMENTS = 32;

  private final EngineHolder engines;
  private final Admission admission;
  private final SpeechRequests requests;
  private final ApiKeys keys;
  private final ObjectMapper json;
  private final Duration pingInterval;
  private final int maxInputChars;
  private final Map<String, Session> sessions = new ConcurrentHashMap<>();

  public SpeechSocket(
      EngineHolder engines,
      Admission admission,
      SpeechRequests requests,
      ApiKeys keys,
      ObjectMapper json,
      Duration pingInterval,
      int maxInputChars) {
    this.engines = engines;
    this.admission = admission;
    this.requests = requests;
    this.keys = keys;
    this.json = json;
    this.pingInterval = pingInterval;
    this.maxInputChars = maxInputChars;
  }

  public void register(RoutesConfig routes) {
    routes.ws(
        PATH,
        ws -> {
          ws.onConnect(this::connect);
          ws.onMessage(this::message);
          ws.onBinaryMessage(
              ctx ->
                  sessions
                      .get(ctx.sessionId())
                      .error(ApiException.invalid("message", "send JSON text frames, not binary")));
          ws.onClose(ctx -> close(ctx.sessionId()));
          ws.onError(ctx -> close(ctx.sessionId()));
        });
  }

  private void connect(WsContext ctx) {
    if (!keys.allows(ctx::header)) {
      ctx.closeSession(WsCloseStatus.POLICY_VIOLATION, "invalid or missing API key");
      return;
    }
    EngineHolder.Loaded loaded;
    try {
      loaded = engines.require();
    } catch (ApiException e) {
      ctx.closeSession(WsCloseStatus.TRY_AGAIN_LATER, e.getMessage());
      return;
    }
    ctx.enableAutomaticPings(pingInterval.toMillis(), TimeUnit.MILLISECONDS);
    Session session = new Session(ctx, loaded);
    sessions.put(ctx.sessionId(), session);
    session.start();
  }

  private void message(WsMessageContext ctx) {
    Session session = sessions.get(ctx.sessionId());
    if (session == null) {
      return;
    }
    JsonNode msg;
    try {
      msg = json.readTree(ctx.message());
    } catch (Exception e) {
      session.error(ApiException.invalid("message", "messages must be JSON objects"));
      return;
    }
    try {
      session.handle(msg);
    } catch (InvalidRequestException e) {
      session.error(ApiException.invalid(e.field(), e.getMessage()));
    } catch (ApiException e) {
      session.error(e);
    }
  }

  private void close(String sessionId) {
    Session session = sessions.remove(sessionId);
    if (session != null) {
      session.stop();
    }
  }

  /** One connection: its buffered text, its queue of sentences and the thread speaking them. */
  private final class Session {
    private final WsContext ctx;
    private final EngineHolder.Loaded loaded;
    private final BlockingQueue<Segment> queue = new ArrayBlockingQueue<>(MAX_QUEUED_SEGMENTS);
    private final StringBuilder pending = new StringBuilder();
    private final AtomicInteger generation = new AtomicInteger();
    private final Thread worker;
    private volatile AudioStream current;
    private volatile boolean stopped;
    private String voice;
    private String instructions;
    private int sampleRate = ResponseFormat.OPENAI_PCM_RATE;
    private OptionalLong seed = OptionalLong.empty();
    private int segments;

    Session(WsContext ctx, EngineHolder.Loaded loaded) {
      this.ctx = ctx;
      this.loaded = loaded;
      this.worker = new Thread(this::run, "ws-tts-" + ctx.sessionId());
      worker.setDaemon(true);
    }

    void start() {
      Map<String, Object> ready = event("ready");
      ready.put("sample_rate", sampleRate);
      ready.put("encoding", "pcm_s16le");
      ready.put("channels", 1);
      ready.put("model", loaded.models().modelId());
      send(ready);
      worker.start();
    }

    synchronized void handle(JsonNode msg) {
      String type = msg.path("type").asText("");
      switch (type) {
        case "config":
          configure(msg);
          break;
        case "text":
          if (!msg.path("text").isTextual()) {
            throw new InvalidRequestException("text", "text must be a string");
          }
          pending.append(msg.path("text").textValue());
          enqueueSentences(false);
          break;
        case "flush":
          enqueueSentences(true);
          break;
        case "cancel":
          cancel();
          break;
        case "end":
          enqueueSentences(true);
          offer(Segment.END);
          break;
        default:
          throw new InvalidRequestException(
              "type", "type must be config, text, flush, cancel or end, got '" + type + "'");
      }
    }

    private void configure(JsonNode msg) {
      if (msg.hasNonNull("voice")) {
        String name = msg.path("voice").asText();
        loaded.voices().resolve(name, null, 1.0, "voice"); // validate now, not mid-speech
        voice = name;
      }
      if (msg.hasNonNull("instructions")) {
        instructions = msg.path("instructions").asText();
      }
      if (msg.hasNonNull("sample_rate")) {
        int rate = msg.path("sample_rate").asInt();
        new Transcoder(ResponseFormat.PCM, loaded.engine().audioFormat(), rate); // validates
        sampleRate = rate;
      }
      if (msg.hasNonNull("seed")) {
        seed = OptionalLong.of(msg.path("seed").asLong());
      }
    }

    /** Moves complete sentences (or everything, when flushing) from the buffer to the queue. */
    private void enqueueSentences(boolean all) {
      int cut = 0;
      Matcher m = SENTENCE_END.matcher(pending);
      while (m.find()) {
        cut = m.end();
      }
      if (all) {
        cut = pending.length();
      } else if (cut == 0 && pending.length() >= maxInputChars) {
        int space = pending.lastIndexOf(" ", maxInputChars - 1);
        cut = space > 0 ? space + 1 : maxInputChars;
      }
      while (cut > 0) {
        int take = Math.min(cut, maxInputChars);
        String text = pending.substring(0, take).strip();
        pending.delete(0, take);
        cut -= take;
        if (!text.isEmpty()) {
          ResolvedVoice v = loaded.voices().resolve(voice, instructions, 1.0, "voice");
          offer(new Segment(++segments, text, v, sampleRate, seed, generation.get()));
        }
      }
    }

    private void offer(Segment segment) {
      if (!queue.offer(segment)) {
        throw ApiException.overloaded(
            "more than " + MAX_QUEUED_SEGMENTS + " segments queued; slow down or cancel",
            Duration.ofSeconds(1));
      }
    }

    synchronized void cancel() {
      generation.incrementAndGet();
      queue.clear();
      pending.setLength(0);
      AudioStream s = current;
      if (s != null) {
        s.close();
      }
    }

    void stop() {
      stopped = true;
      cancel();
      worker.interrupt();
    }

    private void run() {
      try {
        while (!stopped) {
          Segment segment = queue.take();
          if (segment == Segment.END) {
            send(event("done"));
            ctx.closeSession(WsCloseStatus.NORMAL_CLOSURE, "done");
            return;
          }
          speak(segment);
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }

    private void speak(Segment segment) {
      if (segment.generation() != generation.get()) {
        return; // cancelled while queued
      }
      String id = UUID.randomUUID().toString();
      long samples = 0;
      Transcoder pcm =
          new Transcoder(ResponseFormat.PCM, loaded.engine().audioFormat(), segment.sampleRate());
      try (Admission.Permit permit = admission.acquire()) {
        TtsRequest request =
            requests.build(
                id, segment.text(), segment.voice(), SamplingOptions.builder(), segment.seed());
        try (AudioStream stream = loaded.engine().stream(request)) {
          current = stream;
          permit.onAbort(stream::close);
          Map<String, Object> started = event("segment.started");
          started.put("segment", segment.number());
          started.put("text", segment.text());
          send(started);
          while (stream.hasNext() && segment.generation() == generation.get()) {
            float[] chunk = stream.next().samples();
            samples += chunk.length;
            sendAudio(pcm.accept(chunk));
          }
          if (segment.generation() == generation.get()) {
            sendAudio(pcm.finish());
            Map<String, Object> finished = event("segment.finished");
            finished.put("segment", segment.number());
            finished.put(
                "duration_ms", Math.round(loaded.engine().audioFormat().secondsOf(samples) * 1000));
            send(finished);
          } else {
            cancelled(segment);
          }
        } finally {
          current = null;
        }
      } catch (TtsException e) {
        if (segment.generation() != generation.get()) {
          cancelled(segment); // closing the stream surfaces as a cancellation
        } else {
          error(ErrorResponses.fromEngine(e));
        }
      } catch (ApiException e) {
        error(e);
      } catch (RuntimeException e) {
        log.error("WebSocket synthesis failed", e);
        error(ErrorResponses.internal());
      }
    }

    private void cancelled(Segment segment) {
      Map<String, Object> cancelled = event("cancelled");
      cancelled.put("segment", segment.number());
      send(cancelled);
    }

    void error(ApiException e) {
      Map<String, Object> event = new LinkedHashMap<>(ErrorResponses.body(e));
      event.put("type", "error");
      send(event);
    }

    private void sendAudio(byte[] bytes) {
      if (bytes.length > 0 && !stopped) {
        ctx.send(ByteBuffer.wrap(bytes));
      }
    }

    private void send(Map<String, Object> event) {
      if (!stopped && ctx.session.isOpen()) {
        try {
          ctx.send(json.writeValueAsString(event));
        } catch (Exception e) {
          log.debug("cannot send WebSocket event", e);
        }
      }
    }

    private Map<String, Object> event(String type) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("type", type);
      return m;
    }
  }

  /** One sentence to speak, tagged with the cancel generation it was queued in. */
  private record Segment(
      int number,
      String text,
      ResolvedVoice voice,
      int sampleRate,
      OptionalLong seed,
      int generation) {
    static final Segment END = new Segment(-1, "", null, 0, OptionalLong.empty(), -1);
  }
}
