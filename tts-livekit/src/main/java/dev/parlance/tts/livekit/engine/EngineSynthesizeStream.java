package dev.parlance.tts.livekit.engine;

import dev.parlance.tts.livekit.ConnOptions;
import dev.parlance.tts.livekit.SynthesizeStream;
import dev.parlance.tts.livekit.text.StreamingSentenceSplitter;

/** Text pushed piece by piece, spoken sentence by sentence as each one completes. */
final class EngineSynthesizeStream extends EngineStream implements SynthesizeStream {
  private final StreamingSentenceSplitter splitter;
  private boolean inputEnded;

  EngineSynthesizeStream(EngineTts owner, StreamingSentenceSplitter splitter, ConnOptions options) {
    super(owner, options, true);
    this.splitter = splitter;
  }

  @Override
  public synchronized void pushText(String text) {
    checkOpen();
    for (String sentence : splitter.push(text)) {
      submit(new Sentence(sentence));
    }
  }

  @Override
  public synchronized void flush() {
    checkOpen();
    for (String sentence : splitter.flush()) {
      submit(new Sentence(sentence));
    }
    submit(Mark.END_SEGMENT);
  }

  @Override
  public synchronized void endInput() {
    if (inputEnded || isClosed()) {
      return;
    }
    flush();
    inputEnded = true;
    submit(Mark.END_INPUT);
  }

  private void checkOpen() {
    if (isClosed()) {
      throw new IllegalStateException("the stream is closed");
    }
    if (inputEnded) {
      throw new IllegalStateException("input has ended; open a new stream");
    }
  }
}
