package dev.parlance.tts.http.cli;

import dev.parlance.tts.http.codec.ResponseFormat;
import dev.parlance.tts.http.codec.Transcoder;
import dev.parlance.tts.http.voice.ServerVoices;
import dev.parlance.tts.http.voice.ServerVoices.ResolvedVoice;
import dev.parlance.tts.spi.AudioChunk;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.SamplingOptions;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsEngines;
import dev.parlance.tts.spi.TtsException;
import dev.parlance.tts.spi.TtsRequest;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;

/**
 * {@code parlance-server.jar synthesize --model ID_OR_DIR --text "..." [--voice NAME |
 * --description "..."] [--seed N] [--format wav|pcm|flac|opus] [--sample-rate HZ] [--device D]
 * [--engine parler] --out FILE|-}: one utterance to a file or stdout, with a progress line on
 * stderr. {@code --voice} takes the names the server does (OpenAI's included).
 */
public final class SynthesizeCommand {
  static final String USAGE =
      "usage: synthesize --model ID_OR_DIR --text TEXT [--voice NAME | --description TEXT]\n"
          + "                  [--seed N] [--format wav|pcm|flac|opus] [--sample-rate HZ]\n"
          + "                  [--device auto|cpu|cuda] [--engine parler] --out FILE|-";

  private SynthesizeCommand() {}

  /** Runs the command; returns the process exit status. */
  public static int run(String[] args, PrintStream stdout, PrintStream stderr) {
    Map<String, String> opts;
    try {
      opts = parse(args);
    } catch (IllegalArgumentException e) {
      stderr.println("error: " + e.getMessage());
      stderr.println(USAGE);
      return 2;
    }
    if (opts.containsKey("help")) {
      stdout.println(USAGE);
      return 0;
    }
    for (String required : new String[] {"model", "text", "out"}) {
      if (!opts.containsKey(required)) {
        stderr.println("error: --" + required + " is required");
        stderr.println(USAGE);
        return 2;
      }
    }
    if (opts.containsKey("voice") && opts.containsKey("description")) {
      stderr.println("error: give --voice or --description, not both");
      return 2;
    }
    String engineName = opts.getOrDefault("engine", "parler");
    TtsEngineConfig config =
        TtsEngineConfig.builder()
            .model(opts.get("model"))
            .device(opts.getOrDefault("device", "auto"))
            .build();
    Progress progress = new Progress(stderr);
    try (TtsEngine engine = TtsEngines.load(engineName, config)) {
      ResponseFormat format = ResponseFormat.parse(opts.getOrDefault("format", "wav"), "--format");
      int rate = Integer.parseInt(opts.getOrDefault("sample-rate", "0"));
      Transcoder transcoder = new Transcoder(format, engine.audioFormat(), rate);
      TtsRequest request = request(engine, opts);
      ByteArrayOutputStream out = new ByteArrayOutputStream();
      out.writeBytes(transcoder.start());
      long samples = 0;
      try (AudioStream stream = engine.stream(request)) {
        while (stream.hasNext()) {
          AudioChunk chunk = stream.next();
          samples += chunk.size();
          out.writeBytes(transcoder.accept(chunk.samples()));
          progress.update(engine.audioFormat().secondsOf(samples));
        }
      }
      out.writeBytes(transcoder.finish());
      progress.done(engine.audioFormat().secondsOf(samples));
      write(opts.get("out"), transcoder.complete(out.toByteArray()), stdout);
      return 0;
    } catch (TtsException | IllegalArgumentException e) {
      stderr.println("error: " + e.getMessage());
      return 1;
    } catch (IOException e) {
      stderr.println("error: cannot write " + opts.get("out") + ": " + e.getMessage());
      return 1;
    }
  }

  private static TtsRequest request(TtsEngine engine, Map<String, String> opts) {
    TtsRequest.Builder b = TtsRequest.builder().text(opts.get("text"));
    OptionalLong seed =
        opts.containsKey("seed")
            ? OptionalLong.of(Long.parseLong(opts.get("seed")))
            : OptionalLong.empty();
    if (opts.containsKey("description")) {
      b.description(opts.get("description"));
    } else {
      // The server's voice names, OpenAI's included, with the preset's seed.
      ResolvedVoice voice =
          ServerVoices.of(engine.voices()).resolve(opts.get("voice"), null, 1.0, "--voice");
      b.voice(voice.voice());
      seed = seed.isPresent() ? seed : voice.seed();
    }
    return b.sampling(SamplingOptions.builder().seed(seed).build()).build();
  }

  private static void write(String target, byte[] bytes, PrintStream stdout) throws IOException {
    if (target.equals("-")) {
      stdout.write(bytes);
      stdout.flush();
      return;
    }
    Path path = Path.of(target);
    try (OutputStream out = Files.newOutputStream(path)) {
      out.write(bytes);
    }
  }

  private static Map<String, String> parse(String[] args) {
    Map<String, String> opts = new LinkedHashMap<>();
    for (int i = 0; i < args.length; i++) {
      String a = args[i];
      if (a.equals("-h") || a.equals("--help")) {
        opts.put("help", "");
        continue;
      }
      if (!a.startsWith("--")) {
        throw new IllegalArgumentException("unexpected argument '" + a + "'");
      }
      String name = a.substring(2);
      String value;
      int eq = name.indexOf('=');
      if (eq > 0) {
        value = name.substring(eq + 1);
        name = name.substring(0, eq);
      } else if (i + 1 < args.length) {
        value = args[++i];
      } else {
        throw new IllegalArgumentException("--" + name + " needs a value");
      }
      switch (name) {
        case "model":
        case "text":
        case "voice":
        case "description":
        case "seed":
        case "format":
        case "sample-rate":
        case "device":
        case "engine":
        case "out":
          opts.put(name, value);
          break;
        default:
          throw new IllegalArgumentException("unknown option --" + name);
      }
    }
    if (opts.containsKey("seed") && !opts.get("seed").matches("\\d+")) {
      throw new IllegalArgumentException("--seed must be a non-negative integer");
    }
    if (opts.containsKey("sample-rate") && !opts.get("sample-rate").matches("\\d+")) {
      throw new IllegalArgumentException("--sample-rate must be an integer (Hz)");
    }
    return opts;
  }

  /** A single self-overwriting progress line on stderr, at most a few times a second. */
  private static final class Progress {
    private final PrintStream err;
    private final long start = System.nanoTime();
    private long lastPrint;

    Progress(PrintStream err) {
      this.err = err;
    }

    void update(double audioSeconds) {
      long now = System.nanoTime();
      if (now - start > 1_000_000_000L && now - lastPrint > 250_000_000L) {
        lastPrint = now;
        err.printf("\rsynthesizing: %.1f s of audio in %.1f s", audioSeconds, elapsed(now));
        err.flush();
      }
    }

    void done(double audioSeconds) {
      long now = System.nanoTime();
      err.printf(
          "%ssynthesized %.2f s of audio in %.2f s%n",
          lastPrint == 0 ? "" : "\r", audioSeconds, elapsed(now));
    }

    private double elapsed(long now) {
      return (now - start) / 1e9;
    }
  }
}
