package dev.parlance.tts.samples.livekit;

import dev.parlance.tts.livekit.SynthesizeStream;
import dev.parlance.tts.livekit.TtsListener;
import dev.parlance.tts.livekit.TtsMetrics;
import dev.parlance.tts.livekit.control.LiveKitCredentials;
import dev.parlance.tts.livekit.engine.EngineTts;
import dev.parlance.tts.livekit.output.AudioOutput;
import dev.parlance.tts.livekit.output.WavFileAudioOutput;
import dev.parlance.tts.livekit.worker.AgentWorker;
import dev.parlance.tts.livekit.worker.AgentWorkerOptions;
import dev.parlance.tts.livekit.worker.JobContext;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsEngineConfig;
import dev.parlance.tts.spi.TtsEngines;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;

/**
 * A Java voice agent whose TTS runs in the same JVM: text goes into {@link EngineTts} as an LLM
 * would stream it, 48 kHz frames come straight out of the Parler engine.
 *
 * <pre>
 * # no LiveKit needed: speak a text into a WAV file
 * java ... InProcessVoiceAgent say "Hello! This is Parlance speaking." hello.wav
 *
 * # a LiveKit agent worker (LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET set)
 * java ... InProcessVoiceAgent worker
 * </pre>
 *
 * Environment: {@code PARLANCE_MODEL} (model id or checkpoint directory, default {@code
 * parler-tts/parler-tts-mini-v1}), {@code PARLANCE_DEVICE} (default {@code cpu}), {@code
 * AGENT_NAME} (default {@code parlance-voice}).
 *
 * <p>In worker mode each job's speech is written to {@code agent-audio/<job id>.wav}: publishing
 * into the room over WebRTC is not implemented yet, so the job's {@link AudioOutput} is a file.
 * Swap the {@code audioOutputs} factory for a room output when one exists.
 */
public final class InProcessVoiceAgent {
  private InProcessVoiceAgent() {}

  public static void main(String[] args) throws Exception {
    if (args.length == 3 && args[0].equals("say")) {
      say(args[1], Path.of(args[2]));
    } else if (args.length == 1 && args[0].equals("worker")) {
      runWorker();
    } else {
      System.err.println("usage: InProcessVoiceAgent say <text> <out.wav> | worker");
      System.exit(2);
    }
  }

  private static TtsEngine loadEngine() {
    return TtsEngines.load(
        "parler",
        TtsEngineConfig.builder()
            .model(env("PARLANCE_MODEL", "parler-tts/parler-tts-mini-v1"))
            .device(env("PARLANCE_DEVICE", "cpu"))
            .build());
  }

  private static EngineTts newTts(TtsEngine engine) {
    EngineTts tts = EngineTts.builder(engine).sampleRate(48_000).build(); // a room's rate
    tts.addListener(
        new TtsListener() {
          @Override
          public void onMetrics(TtsMetrics m) {
            System.out.printf(
                "segment %s: ttfb %d ms, %d ms of audio in %d ms, %d chars%s%n",
                m.segmentId(),
                m.ttfb().toMillis(),
                m.audioDuration().toMillis(),
                m.duration().toMillis(),
                m.charactersCount(),
                m.cancelled() ? " (cancelled)" : "");
          }
        });
    return tts;
  }

  /** Streams {@code text} word by word, as LLM tokens would arrive, into {@code output}. */
  static void speak(EngineTts tts, String text, AudioOutput output, JobContext job) {
    try (SynthesizeStream stream = tts.stream()) {
      if (job != null) {
        job.addShutdownCallback(stream::close); // job terminated: stop speaking now
      }
      for (String word : text.split("(?<=\\s)")) {
        stream.pushText(word);
      }
      stream.endInput();
      output.play(stream);
    }
  }

  private static void say(String text, Path out) {
    try (TtsEngine engine = loadEngine();
        EngineTts tts = newTts(engine);
        WavFileAudioOutput output = new WavFileAudioOutput(out)) {
      speak(tts, text, output, null);
    }
    System.out.println("wrote " + out);
  }

  private static void runWorker() throws Exception {
    Path audioDir = Files.createDirectories(Path.of("agent-audio"));
    try (TtsEngine engine = loadEngine();
        EngineTts tts = newTts(engine)) {
      AgentWorkerOptions options =
          AgentWorkerOptions.builder(
                  env("LIVEKIT_URL", "ws://localhost:7880"), LiveKitCredentials.fromEnvironment())
              .agentName(env("AGENT_NAME", "parlance-voice"))
              .version("parlance-sample")
              .audioOutputs(
                  (job, url, token) ->
                      new WavFileAudioOutput(audioDir.resolve(job.getId() + ".wav")))
              .build();
      CountDownLatch stop = new CountDownLatch(1);
      try (AgentWorker worker =
          new AgentWorker(
              options,
              ctx -> {
                String greeting =
                    ctx.job().getMetadata().isBlank()
                        ? "Hello, and welcome to room " + ctx.roomName() + ". How can I help?"
                        : ctx.job().getMetadata();
                speak(tts, greeting, ctx.audioOutput(), ctx);
              })) {
        Runtime.getRuntime().addShutdownHook(new Thread(stop::countDown));
        worker.start();
        System.out.println("agent worker started; waiting for jobs (Ctrl+C to stop)");
        stop.await();
      }
    }
  }

  private static String env(String name, String fallback) {
    String value = System.getenv(name);
    return value == null || value.isBlank() ? fallback : value;
  }
}
