package dev.parlance.tts.http.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.parlance.tts.http.codec.ResponseFormat;
import dev.parlance.tts.http.lifecycle.EngineHolder;
import dev.parlance.tts.http.observability.RequestIds;
import dev.parlance.tts.http.voice.ServerVoices.ResolvedVoice;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsRequest;
import io.javalin.config.RoutesConfig;
import io.javalin.http.Context;
import java.io.IOException;
import java.util.OptionalLong;

/**
 * {@code POST /v1/audio/speech}, OpenAI's speech API as clients use it: {@code model}, {@code
 * input}, {@code voice} (a name or {@code {"id": name}}), {@code instructions} (the Parler
 * description), {@code response_format}, {@code speed}, {@code stream_format}. Extensions: {@code
 * stream} (false sends one complete file), {@code sample_rate}, {@code seed}.
 */
public final class SpeechHandler {
  public static final String PATH = "/v1/audio/speech";

  private final EngineHolder engines;
  private final SpeechRequests requests;
  private final AudioResponder responder;
  private final ObjectMapper json;

  public SpeechHandler(
      EngineHolder engines, SpeechRequests requests, AudioResponder responder, ObjectMapper json) {
    this.engines = engines;
    this.requests = requests;
    this.responder = responder;
    this.json = json;
  }

  public void register(RoutesConfig routes) {
    routes.post(PATH, this::speech);
  }

  private void speech(Context ctx) throws IOException {
    JsonBody body = JsonBody.of(ctx, json);
    EngineHolder.Loaded loaded = engines.require();
    loaded.models().resolve(body.text("model"));
    String input = requests.checkText(body.requiredText("input"), "input");
    ResponseFormat format =
        ResponseFormat.parse(
            body.text("response_format") == null ? "wav" : body.text("response_format"),
            "response_format");
    SpeechJob.Delivery delivery = delivery(body);
    ResolvedVoice voice =
        loaded
            .voices()
            .resolve(
                voiceName(body), body.text("instructions"), body.number("speed", 1.0), "voice");
    long seed = body.integer("seed", -1);
    TtsRequest request =
        requests.build(
            RequestIds.of(ctx),
            input,
            voice,
            SamplingOptions.builder(),
            seed >= 0 ? OptionalLong.of(seed) : OptionalLong.empty());
    int rate = (int) body.integer("sample_rate", 0);
    responder.respond(ctx, loaded.engine(), new SpeechJob(PATH, request, format, rate, delivery));
  }

  /** {@code voice} is a name or, in newer SDKs, {@code {"id": "name"}}. */
  private static String voiceName(JsonBody body) {
    JsonNode voice = body.node("voice");
    if (voice == null) {
      return null;
    }
    if (voice.isTextual()) {
      return voice.textValue();
    }
    if (voice.isObject() && voice.path("id").isTextual()) {
      return voice.path("id").textValue();
    }
    throw new InvalidRequestException("voice", "voice must be a name or {\"id\": name}");
  }

  private static SpeechJob.Delivery delivery(JsonBody body) {
    String streamFormat = body.text("stream_format");
    boolean stream = body.bool("stream", true);
    if (streamFormat == null || streamFormat.equals("audio")) {
      return stream ? SpeechJob.Delivery.STREAM : SpeechJob.Delivery.BUFFERED;
    }
    if (streamFormat.equals("sse")) {
      return SpeechJob.Delivery.SSE;
    }
    throw new InvalidRequestException(
        "stream_format", "stream_format must be 'audio' or 'sse', got '" + streamFormat + "'");
  }
}
