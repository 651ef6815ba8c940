package dev.parlance.tts.http.api;

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
import java.time.Duration;
import java.util.OptionalLong;

/**
 * {@code POST /synthesize}, the seed's API: {@code text}, {@code voice} (a preset name) and/or
 * {@code description} (a Parler speaker description, which wins), {@code format}, {@code
 * sample_rate}, {@code seed}, sampling options ({@code temperature}, {@code top_k}, {@code top_p},
 * {@code greedy}, {@code max_duration} seconds) and {@code stream} (default false: one complete
 * file).
 */
public final class SynthesizeHandler {
  public static final String PATH = "/synthesize";

  private final EngineHolder engines;
  private final SpeechRequests requests;
  private final AudioResponder responder;
  private final ObjectMapper json;

  public SynthesizeHandler(
      EngineHolder engines, SpeechRequests requests, AudioResponder responder, ObjectMapper json) {
    this.engines = engines;
    this.requests = requests;
    this.responder = responder;
    this.json = json;
  }

  public void register(RoutesConfig routes) {
    routes.post(PATH, this::synthesize);
  }

  private void synthesize(Context ctx) throws IOException {
    JsonBody body = JsonBody.of(ctx, json);
    EngineHolder.Loaded loaded = engines.require();
    String text = requests.checkText(body.requiredText("text"), "text");
    ResponseFormat format =
        ResponseFormat.parse(body.text("format") == null ? "wav" : body.text("format"), "format");
    String description = body.text("description");
    if (description != null && description.isBlank()) {
      throw new InvalidRequestException("description", "description must not be empty");
    }
    ResolvedVoice voice = loaded.voices().resolve(body.text("voice"), description, 1.0, "voice");

    SamplingOptions.Builder sampling =
        SamplingOptions.builder()
            .greedy(body.bool("greedy", false))
            .temperature(body.number("temperature", SamplingOptions.DEFAULT.temperature()))
            .topK((int) body.integer("top_k", SamplingOptions.DEFAULT.topK()))
            .topP(body.number("top_p", SamplingOptions.DEFAULT.topP()));
    double maxSeconds = body.number("max_duration", 0);
    if (maxSeconds != 0) {
      if (!(maxSeconds > 0)) {
        throw new InvalidRequestException("max_duration", "max_duration must be positive seconds");
      }
      sampling.maxDuration(Duration.ofMillis(Math.round(maxSeconds * 1000)));
    }
    long seed = body.integer("seed", -1);
    TtsRequest request =
        requests.build(
            RequestIds.of(ctx),
            text,
            voice,
            sampling,
            seed >= 0 ? OptionalLong.of(seed) : OptionalLong.empty());
    SpeechJob.Delivery delivery =
        body.bool("stream", false) ? SpeechJob.Delivery.STREAM : SpeechJob.Delivery.BUFFERED;
    int rate = (int) body.integer("sample_rate", 0);
    responder.respond(ctx, loaded.engine(), new SpeechJob(PATH, request, format, rate, delivery));
  }
}
