package dev.parlance.tts.livekit.testing;

import dev.parlance.tts.core.checkpoint.SafetensorsFile;
import dev.parlance.tts.core.checkpoint.SafetensorsWriter;
import dev.parlance.tts.core.checkpoint.TensorInfo;
import dev.parlance.tts.core.checkpoint.TensorType;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;

/**
 * TEST ONLY. A copy of the {@code tiny-mini-v1-arch} fixture checkpoint that speaks for longer: the
 * same weights and tokenizer, with
 *
 * <ul>
 *   <li>more decoder positions: the sinusoidal position table (which Parler computes, never trains)
 *       extended by the same formula, checked against the stored rows. The fixture's 256 positions
 *       cap a request at about 45 ms of audio;
 *   <li>{@code min_new_tokens} in generation_config.json: with random weights, sampling draws EOS
 *       after a few dozen steps (about 10 ms of audio).
 * </ul>
 *
 * Needed where a client drops audio shorter than its frame, as LiveKit's OpenAI plugin does with
 * anything under 100 ms.
 */
public final class LongSpeechCheckpoint {
  private static final String TABLE = "decoder.model.decoder.embed_positions.weights";
  private static final String CONFIG_KEY = "\"max_position_embeddings\": ";

  private LongSpeechCheckpoint() {}

  /**
   * Writes the copy into {@code target} (replacing what is there).
   *
   * @param positions decoder positions (the fixture has 256)
   * @param minNewTokens decoder steps before EOS may be drawn (each step is 8 samples at 44.1 kHz)
   * @throws IllegalStateException the stored table is not the sinusoid this extends
   */
  public static Path create(Path source, Path target, int positions, int minNewTokens) {
    try {
      Files.createDirectories(target);
      try (DirectoryStream<Path> files = Files.newDirectoryStream(source)) {
        for (Path file : files) {
          String name = file.getFileName().toString();
          if (!List.of("model.safetensors", "config.json", "generation_config.json")
              .contains(name)) {
            Path copy = target.resolve(name);
            Files.copy(file, copy, StandardCopyOption.REPLACE_EXISTING);
            copy.toFile().setWritable(true);
          }
        }
      }
      String config = Files.readString(source.resolve("config.json"));
      int at = config.indexOf(CONFIG_KEY);
      if (at < 0 || config.indexOf(CONFIG_KEY, at + 1) >= 0) {
        throw new IllegalStateException("expected one max_position_embeddings in config.json");
      }
      int from = at + CONFIG_KEY.length();
      int to = from;
      while (Character.isDigit(config.charAt(to))) {
        to++;
      }
      Files.writeString(
          target.resolve("config.json"),
          config.substring(0, from) + positions + config.substring(to));

      String generation = Files.readString(source.resolve("generation_config.json")).strip();
      if (!generation.startsWith("{") || generation.contains("min_new_tokens")) {
        throw new IllegalStateException("unexpected generation_config.json: " + generation);
      }
      Files.writeString(
          target.resolve("generation_config.json"),
          "{\n  \"min_new_tokens\": " + minNewTokens + "," + generation.substring(1));

      SafetensorsWriter out = new SafetensorsWriter();
      try (SafetensorsFile in = SafetensorsFile.open(source.resolve("model.safetensors"))) {
        in.metadata().forEach(out::metadata);
        for (String name : in.names()) {
          TensorInfo info = in.info(name);
          if (info.type() != TensorType.F32) {
            throw new IllegalStateException(name + " is " + info.type() + "; expected F32");
          }
          if (name.equals(TABLE)) {
            int dim = (int) info.shape()[1];
            float[] table = sinusoid(positions, dim);
            checkExtends(in.readFloats(name), table);
            out.addFloats(name, new long[] {positions, dim}, table);
          } else {
            out.addFloats(name, info.shape(), in.readFloats(name));
          }
        }
      }
      out.write(target.resolve("model.safetensors"));
      return target;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** MusicGen's (and Parler's) sinusoid: {@code [cos(p*f_i)..., sin(p*f_i)...]}. */
  private static float[] sinusoid(int rows, int dim) {
    int half = dim / 2;
    double step = Math.log(10_000) / (half - 1);
    float[] table = new float[rows * dim];
    for (int p = 0; p < rows; p++) {
      for (int i = 0; i < half; i++) {
        float angle = p * (float) Math.exp(i * -step);
        table[p * dim + i] = (float) Math.cos(angle);
        table[p * dim + half + i] = (float) Math.sin(angle);
      }
    }
    return table;
  }

  private static void checkExtends(float[] stored, float[] extended) {
    for (int i = 0; i < stored.length; i++) {
      if (Math.abs(stored[i] - extended[i]) > 1e-4) {
        throw new IllegalStateException(
            "the stored position table differs from the sinusoid at element " + i);
      }
    }
  }
}
