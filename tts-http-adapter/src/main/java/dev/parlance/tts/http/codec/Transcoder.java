package dev.parlance.tts.http.codec;

import dev.parlance.tts.core.audio.Resampler;
import dev.parlance.tts.spi.AudioFormat;
import dev.parlance.tts.spi.InvalidRequestException;
import dev.parlance.tts.spi.Pcm16;
import java.io.ByteArrayOutputStream;
import java.util.Set;

/**
 * Engine audio in, container bytes out: resamples with tts-core's anti-aliased {@link Resampler}
 * when the output rate differs, converts to 16-bit and encodes. One per response.
 */
public final class Transcoder {
  /** Output rates a client may ask for. */
  public static final Set<Integer> SELECTABLE_RATES =
      Set.of(8_000, 16_000, 22_050, 24_000, 32_000, 44_100, 48_000);

  private final ResponseFormat format;
  private final int sampleRate;
  private final Resampler resampler;
  private final AudioEncoder encoder;

  /**
   * @param format the container
   * @param source the engine's audio format (mono)
   * @param requestedRate the rate the client asked for, 0 for the format's default
   * @throws InvalidRequestException the rate is not offered, or not for this format
   */
  public Transcoder(ResponseFormat format, AudioFormat source, int requestedRate) {
    if (source.channels() != 1) {
      throw new IllegalArgumentException("only mono engines are supported, got " + source);
    }
    if (requestedRate != 0) {
      if (!format.rateSelectable()) {
        throw new InvalidRequestException(
            "sample_rate", format.id() + " is always 48000 Hz; leave sample_rate unset");
      }
      if (!SELECTABLE_RATES.contains(requestedRate)) {
        throw new InvalidRequestException(
            "sample_rate",
            "sample_rate must be one of "
                + new java.util.TreeSet<>(SELECTABLE_RATES)
                + ", got "
                + requestedRate);
      }
    }
    this.format = format;
    this.sampleRate = format.sampleRate(source.sampleRate(), requestedRate);
    this.resampler =
        sampleRate == source.sampleRate() ? null : new Resampler(source.sampleRate(), sampleRate);
    this.encoder = format.newEncoder(sampleRate, source.sampleRate());
  }

  public ResponseFormat format() {
    return format;
  }

  /** The rate of the encoded audio. */
  public int sampleRate() {
    return sampleRate;
  }

  public String contentType() {
    return format.contentType();
  }

  /** The container header. */
  public byte[] start() {
    return encoder.start();
  }

  /** Encodes the next engine samples. */
  public byte[] accept(float[] samples) {
    float[] out = resampler == null ? samples : resampler.process(samples);
    return encoder.encode(Pcm16.toShorts(out));
  }

  /** Flushes the resampler's tail and the encoder. */
  public byte[] finish() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    if (resampler != null) {
      out.writeBytes(encoder.encode(Pcm16.toShorts(resampler.flush())));
    }
    out.writeBytes(encoder.finish());
    return out.toByteArray();
  }

  /** A whole buffered response with its header completed (lengths, checksums). */
  public byte[] complete(byte[] whole) {
    return encoder.complete(whole);
  }
}
