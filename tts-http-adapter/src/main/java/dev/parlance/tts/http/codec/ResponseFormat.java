package dev.parlance.tts.http.codec;

import dev.parlance.tts.spi.InvalidRequestException;
import java.util.Arrays;
import java.util.Locale;
import java.util.stream.Collectors;

/** The audio containers a client can ask for, with OpenAI's names. */
public enum ResponseFormat {
  /** RIFF/WAVE 16-bit mono at the engine's rate unless a rate is asked for. */
  WAV("wav", "audio/wav"),
  /** Raw 16-bit little-endian mono; 24 kHz by default, as OpenAI defines it. */
  PCM("pcm", "audio/pcm"),
  /** FLAC 16-bit mono, lossless. */
  FLAC("flac", "audio/flac"),
  /** Opus in Ogg at 48 kHz. */
  OPUS("opus", "audio/ogg");

  /** OpenAI's {@code pcm} rate; LiveKit's OpenAI plugin hard-codes it. */
  public static final int OPENAI_PCM_RATE = 24_000;

  /** Opus bit rate: transparent for speech at 48 kHz mono. */
  private static final int OPUS_BITRATE = 48_000;

  private final String id;
  private final String contentType;

  ResponseFormat(String id, String contentType) {
    this.id = id;
    this.contentType = contentType;
  }

  /** The name clients send, e.g. {@code "wav"}. */
  public String id() {
    return id;
  }

  /** The {@code Content-Type} of a response in this format. */
  public String contentType() {
    return contentType;
  }

  /**
   * The output rate for audio produced at {@code engineRate} when the client asked for {@code
   * requested} Hz (0 = no preference).
   */
  public int sampleRate(int engineRate, int requested) {
    if (this == OPUS) {
      return OggOpusEncoder.SAMPLE_RATE;
    }
    if (requested > 0) {
      return requested;
    }
    return this == PCM ? OPENAI_PCM_RATE : engineRate;
  }

  /** Whether {@code sample_rate} may be chosen by the client. */
  public boolean rateSelectable() {
    return this != OPUS;
  }

  /** A fresh encoder; {@code sourceRate} is the rate before resampling (Opus records it). */
  AudioEncoder newEncoder(int sampleRate, int sourceRate) {
    switch (this) {
      case WAV:
        return new WavEncoder(sampleRate);
      case PCM:
        return new PcmEncoder();
      case FLAC:
        return new FlacEncoder(sampleRate);
      case OPUS:
        return new OggOpusEncoder(sourceRate, OPUS_BITRATE);
      default:
        throw new AssertionError(this);
    }
  }

  /**
   * The format called {@code name}.
   *
   * @param field the request field, for the error
   * @throws InvalidRequestException unknown or unsupported; the message lists the supported ones
   */
  public static ResponseFormat parse(String name, String field) {
    String wanted = name.trim().toLowerCase(Locale.ROOT);
    for (ResponseFormat f : values()) {
      if (f.id.equals(wanted)) {
        return f;
      }
    }
    String supported = Arrays.stream(values()).map(f -> f.id).collect(Collectors.joining(", "));
    if (wanted.equals("mp3") || wanted.equals("aac")) {
      throw new InvalidRequestException(
          field,
          wanted
              + " is not supported by this server (no well-kept pure-Java "
              + wanted
              + " encoder); use one of: "
              + supported);
    }
    throw new InvalidRequestException(
        field, "unknown format '" + name + "'; supported: " + supported);
  }
}
