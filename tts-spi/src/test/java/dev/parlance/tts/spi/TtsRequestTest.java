package dev.parlance.tts.spi;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import java.time.Instant;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class TtsRequestTest {

  private static InvalidRequestException invalid(Runnable r) {
    return assertThrows(InvalidRequestException.class, r::run);
  }

  @Test
  void defaultsAreFilledIn() {
    TtsRequest r = TtsRequest.of("Hello.");
    assertEquals("Hello.", r.text());
    assertEquals(Voice.defaultVoice(), r.voice());
    assertEquals(SamplingOptions.DEFAULT, r.sampling());
    assertFalse(r.id().isBlank());
    assertTrue(r.deadline().isEmpty());
    assertEquals(TtsException.Kind.INVALID_REQUEST, invalid(() -> TtsRequest.of(" ")).kind());
  }

  @Test
  void generatedIdsDiffer() {
    assertFalse(TtsRequest.of("a").id().equals(TtsRequest.of("a").id()));
  }

  @ParameterizedTest
  @ValueSource(strings = {"", "   ", "\n\t"})
  void blankTextIsRejectedNamingTheField(String text) {
    InvalidRequestException e = invalid(() -> TtsRequest.builder().text(text).build());
    assertEquals("text", e.field());
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void nullTextIsRejectedNamingTheField() {
    assertEquals("text", invalid(() -> TtsRequest.builder().build()).field());
  }

  @Test
  void textLengthLimitIsExact() {
    String max = "a".repeat(TtsRequest.MAX_TEXT_CHARS);
    assertEquals(max, TtsRequest.of(max).text());
    InvalidRequestException e = invalid(() -> TtsRequest.of(max + "a"));
    assertEquals("text", e.field());
    assertTrue(e.getMessage().contains("4097") && e.getMessage().contains("4096"), e.getMessage());
  }

  @Test
  void requestIdIsValidated() {
    assertEquals("req-1", TtsRequest.builder().id("req-1").text("x").build().id());
    assertEquals(
        "id", invalid(() -> TtsRequest.builder().id("has space").text("x").build()).field());
    assertEquals(
        "id", invalid(() -> TtsRequest.builder().id("x".repeat(129)).text("x").build()).field());
    assertEquals(
        "id", invalid(() -> TtsRequest.builder().id("line\nbreak").text("x").build()).field());
  }

  @Test
  void voicesAreValidated() {
    assertEquals("voice", invalid(() -> Voice.preset("")).field());
    assertEquals("voice", invalid(() -> Voice.preset("n".repeat(129))).field());
    assertEquals("description", invalid(() -> Voice.described(" ")).field());
    assertEquals(
        "description",
        invalid(() -> Voice.described("d".repeat(Voice.MAX_DESCRIPTION_CHARS + 1))).field());
    TtsRequest r = TtsRequest.builder().text("x").description("A calm voice.").build();
    assertInstanceOf(Voice.Described.class, r.voice());
    assertEquals(
        new Voice.Preset("nova"), TtsRequest.builder().text("x").voice("nova").build().voice());
  }

  @Test
  void toBuilderRoundTrips() {
    TtsRequest r =
        TtsRequest.builder()
            .id("abc")
            .text("Hi")
            .description("Warm voice")
            .sampling(SamplingOptions.builder().seed(7).build())
            .deadline(Instant.parse("2030-01-01T00:00:00Z"))
            .build();
    assertEquals(r, r.toBuilder().build());
  }

  @Test
  void samplingDefaultsAreParlers() {
    SamplingOptions d = SamplingOptions.DEFAULT;
    assertFalse(d.greedy());
    assertEquals(1.0, d.temperature());
    assertEquals(50, d.topK());
    assertEquals(1.0, d.topP());
    assertFalse(d.deterministic());
    assertTrue(d.withSeed(3).deterministic());
    assertTrue(SamplingOptions.builder().greedy(true).build().deterministic());
  }

  @Test
  void samplingBoundsNameTheirField() {
    assertEquals(
        "temperature", invalid(() -> SamplingOptions.builder().temperature(0).build()).field());
    assertEquals(
        "temperature",
        invalid(() -> SamplingOptions.builder().temperature(Double.NaN).build()).field());
    assertEquals(
        "temperature", invalid(() -> SamplingOptions.builder().temperature(5.01).build()).field());
    assertEquals("top_k", invalid(() -> SamplingOptions.builder().topK(-1).build()).field());
    assertEquals("top_p", invalid(() -> SamplingOptions.builder().topP(0).build()).field());
    assertEquals("top_p", invalid(() -> SamplingOptions.builder().topP(1.5).build()).field());
    assertEquals(
        "max_duration",
        invalid(() -> SamplingOptions.builder().maxDuration(Duration.ZERO).build()).field());
    assertEquals(
        "max_duration",
        invalid(() -> SamplingOptions.builder().maxDuration(Duration.ofMinutes(11)).build())
            .field());
    SamplingOptions ok =
        SamplingOptions.builder()
            .temperature(0.7)
            .topK(0)
            .topP(0.9)
            .maxDuration(Duration.ofSeconds(20))
            .build();
    assertEquals(0.7, ok.temperature());
    assertEquals(Duration.ofSeconds(20), ok.maxDuration().orElseThrow());
  }
}
