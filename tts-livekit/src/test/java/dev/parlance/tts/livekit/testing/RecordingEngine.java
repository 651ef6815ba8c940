package dev.parlance.tts.livekit.testing;

import dev.parlance.tts.spi.AudioClip;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.AudioStream;
import dev.parlance.tts.spi.Capabilities;
import dev.parlance.tts.spi.EngineHealth;
import dev.parlance.tts.spi.TtsEngine;
import dev.parlance.tts.spi.TtsRequest;
import dev.parlance.tts.spi.VoiceInfo;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * TEST ONLY. Passes everything to a real engine and records the requests streamed through it, so a
 * test can see how the binding cut the text. Closing it does not close the engine.
 */
public final class RecordingEngine implements TtsEngine {
  private final TtsEngine engine;
  public final List<TtsRequest> requests = new CopyOnWriteArrayList<>();

  public RecordingEngine(TtsEngine engine) {
    this.engine = engine;
  }

  @Override
  public String name() {
    return engine.name();
  }

  @Override
  public String modelId() {
    return engine.modelId();
  }

  @Override
  public AudioFormat audioFormat() {
    return engine.audioFormat();
  }

  @Override
  public Capabilities capabilities() {
    return engine.capabilities();
  }

  @Override
  public List<VoiceInfo> voices() {
    return engine.voices();
  }

  @Override
  public EngineHealth health() {
    return engine.health();
  }

  @Override
  public AudioClip synthesize(TtsRequest request) {
    return engine.synthesize(request);
  }

  @Override
  public AudioStream stream(TtsRequest request) {
    requests.add(request);
    return engine.stream(request);
  }

  @Override
  public void close() {}
}
