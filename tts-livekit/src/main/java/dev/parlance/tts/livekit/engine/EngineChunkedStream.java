package dev.parlance.tts.livekit.engine;

import dev.parlance.tts.livekit.ChunkedStream;
import dev.parlance.tts.livekit.ConnOptions;

/** One whole text as one engine request; the engine splits long text itself. */
final class EngineChunkedStream extends EngineStream implements ChunkedStream {
  private final String text;

  EngineChunkedStream(EngineTts owner, String text, ConnOptions options) {
    super(owner, options, false);
    this.text = text;
    submit(new Sentence(text));
    submit(Mark.END_INPUT);
  }

  @Override
  public String inputText() {
    return text;
  }
}
