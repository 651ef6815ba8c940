package dev.parlance.tts.http.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.parlance.tts.http.Decoded;
import dev.parlance.tts.http.testengine.SineEngine;
import dev.parlance.tts.http.testengine.SineEngineProvider;
import dev.parlance.tts.spi.Voice;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SynthesizeCommandTest {
  private final ByteArrayOutputStream out = new ByteArrayOutputStream();
  private final ByteArrayOutputStream err = new ByteArrayOutputStream();

  private int run(String... args) {
    return SynthesizeCommand.run(
        args,
        new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8));
  }

  @Test
  void writesAFileInTheAskedFormat(@TempDir Path dir) throws Exception {
    Path flac = dir.resolve("hello.flac");
    int status =
        run(
            "--engine", SineEngineProvider.NAME,
            "--model", "sine",
            "--text", "Hello from the command line.",
            "--description", "A calm voice.",
            "--seed", "3",
            "--format", "flac",
            "--out", flac.toString());
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    Decoded d = Decoded.flac(Files.readAllBytes(flac));
    assertEquals(44_100, d.sampleRate());
    assertEquals(28 * SineEngine.SECONDS_PER_CHAR, d.seconds(), 0.001);
    d.assertAudible();
    assertEquals(3, SineEngine.lastRequest().sampling().seed().getAsLong());
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("synthesized"));
  }

  @Test
  void dashWritesToStdout() throws Exception {
    int status =
        run(
            "--engine",
            SineEngineProvider.NAME,
            "--model",
            "sine",
            "--text",
            "Hi there.",
            "--voice",
            "narrator",
            "--out",
            "-");
    assertEquals(0, status, err.toString(StandardCharsets.UTF_8));
    Decoded d = Decoded.wav(out.toByteArray());
    assertEquals(44_100, d.sampleRate());
    // narrator is the engine's preset: its seed (9) is used.
    assertEquals(9, SineEngine.lastRequest().sampling().seed().getAsLong());
  }

  @Test
  void openAiVoiceNamesWorkAsOnTheServer() {
    assertEquals(0, runSine("--voice", "alloy"), err.toString(StandardCharsets.UTF_8));
    // The sine engine has no jon: alloy speaks with its default, and the default's seed (7).
    assertEquals(Voice.defaultVoice(), SineEngine.lastRequest().voice());
    assertEquals(7, SineEngine.lastRequest().sampling().seed().getAsLong());

    assertEquals(1, runSine("--voice", "nobody"));
    String error = err.toString(StandardCharsets.UTF_8);
    assertTrue(error.contains("unknown voice 'nobody'") && error.contains("narrator"), error);
  }

  private int runSine(String option, String value) {
    return run(
        "--engine",
        SineEngineProvider.NAME,
        "--model",
        "sine",
        "--text",
        "Hi.",
        option,
        value,
        "--out",
        "-");
  }

  @Test
  void badArgumentsExplainThemselves() {
    assertEquals(2, run("--model", "x", "--text", "hi"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("--out is required"));
    err.reset();
    assertEquals(2, run("--bogus", "1"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("unknown option --bogus"));
    err.reset();
    assertEquals(
        1,
        run(
            "--engine",
            SineEngineProvider.NAME,
            "--model",
            "m",
            "--text",
            "hi",
            "--format",
            "mp3",
            "--out",
            "-"));
    assertTrue(err.toString(StandardCharsets.UTF_8).contains("mp3 is not supported"));
    err.reset();
    assertEquals(1, run("--engine", "nope", "--model", "m", "--text", "hi", "--out", "-"));
    assertTrue(
        err.toString(StandardCharsets.UTF_8).contains("no TTS engine provider named 'nope'"));
  }
}
