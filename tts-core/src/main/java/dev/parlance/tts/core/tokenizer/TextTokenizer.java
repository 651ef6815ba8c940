package dev.parlance.tts.core.tokenizer;

import ai.djl.huggingface.tokenizers.HuggingFaceTokenizer;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import dev.parlance.tts.core.checkpoint.CheckpointException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * One HuggingFace {@code tokenizer.json} (loaded through DJL's JNI binding) that encodes texts with
 * its special tokens (T5 appends {@code </s>}, Llama prepends {@code <s>}) and pads batches on
 * either side with the pad id its {@code tokenizer_config.json} names. Truncation is off: Parler
 * never truncates descriptions or prompts.
 *
 * <p>Thread-safe. Holds a native handle: close it.
 */
public final class TextTokenizer implements AutoCloseable {

  /** File name of a HuggingFace fast tokenizer. */
  public static final String TOKENIZER_FILE = "tokenizer.json";

  private static final String CONFIG_FILE = "tokenizer_config.json";
  private static final String SPECIAL_TOKENS_FILE = "special_tokens_map.json";

  private final HuggingFaceTokenizer tokenizer;
  private final Path file;
  private final long padId;

  private TextTokenizer(HuggingFaceTokenizer tokenizer, Path file, long padId) {
    this.tokenizer = tokenizer;
    this.file = file;
    this.padId = padId;
  }

  /**
   * Loads {@code tokenizer.json} from a directory (or the file itself). The pad token comes from
   * {@code tokenizer_config.json} or {@code special_tokens_map.json} beside it; id 0 when neither
   * names one (T5's {@code <pad>} and the Llama prompt tokenizer's {@code <unk>} are both 0).
   *
   * @throws CheckpointException the file is missing or cannot be parsed
   */
  public static TextTokenizer load(Path path) {
    Path file = Files.isDirectory(path) ? path.resolve(TOKENIZER_FILE) : path;
    if (!Files.isRegularFile(file)) {
      throw new CheckpointException("tokenizer not found: " + file);
    }
    HuggingFaceTokenizer tokenizer;
    try {
      tokenizer =
          HuggingFaceTokenizer.builder()
              .optTokenizerPath(file)
              .optAddSpecialTokens(true)
              .optTruncation(false)
              .optPadding(false)
              .build();
    } catch (IOException | RuntimeException e) {
      throw new CheckpointException("cannot load tokenizer " + file + ": " + e.getMessage(), e);
    }
    try {
      long padId = resolvePadId(file, tokenizer);
      return new TextTokenizer(tokenizer, file, padId);
    } catch (RuntimeException e) {
      tokenizer.close();
      throw e;
    }
  }

  /** The {@code tokenizer.json} this was loaded from. */
  public Path file() {
    return file;
  }

  /** Id written at padded positions. */
  public long padId() {
    return padId;
  }

  /**
   * Token ids of one text, special tokens included. Leading and trailing whitespace is stripped, as
   * Parler's training script did.
   */
  public long[] encode(String text) {
    Objects.requireNonNull(text, "text");
    return tokenizer.encode(text.strip()).getIds();
  }

  /**
   * Encodes texts into one batch padded to the longest row.
   *
   * @throws IllegalArgumentException no texts
   */
  public TokenBatch encodeBatch(List<String> texts, PaddingSide paddingSide) {
    if (texts.isEmpty()) {
      throw new IllegalArgumentException("no texts to tokenize");
    }
    long[][] rows = new long[texts.size()][];
    int length = 0;
    for (int i = 0; i < rows.length; i++) {
      rows[i] = encode(texts.get(i));
      length = Math.max(length, rows[i].length);
    }
    long[][] ids = new long[rows.length][length];
    long[][] mask = new long[rows.length][length];
    for (int i = 0; i < rows.length; i++) {
      int offset = paddingSide == PaddingSide.LEFT ? length - rows[i].length : 0;
      Arrays.fill(ids[i], padId);
      System.arraycopy(rows[i], 0, ids[i], offset, rows[i].length);
      Arrays.fill(mask[i], offset, offset + rows[i].length, 1L);
    }
    return new TokenBatch(ids, mask);
  }

  @Override
  public void close() {
    tokenizer.close();
  }

  private static long resolvePadId(Path file, HuggingFaceTokenizer tokenizer) {
    String pad = padToken(file.resolveSibling(CONFIG_FILE));
    if (pad == null) {
      pad = padToken(file.resolveSibling(SPECIAL_TOKENS_FILE));
    }
    if (pad == null) {
      return 0;
    }
    JsonObject json = readJson(file);
    if (json.has("added_tokens") && json.get("added_tokens").isJsonArray()) {
      for (JsonElement t : json.getAsJsonArray("added_tokens")) {
        JsonObject token = t.getAsJsonObject();
        if (pad.equals(token.get("content").getAsString())) {
          return token.get("id").getAsLong();
        }
      }
    }
    long[] ids = tokenizer.encode(pad, false, false).getIds();
    if (ids.length != 1) {
      throw new CheckpointException(
          "pad token '" + pad + "' named beside " + file + " is not a single token of it");
    }
    return ids[0];
  }

  /** The {@code pad_token} of a tokenizer config: a string, or an object with "content". */
  private static String padToken(Path config) {
    if (!Files.isRegularFile(config)) {
      return null;
    }
    JsonElement pad = readJson(config).get("pad_token");
    if (pad == null || pad.isJsonNull()) {
      return null;
    }
    return pad.isJsonObject()
        ? pad.getAsJsonObject().get("content").getAsString()
        : pad.getAsString();
  }

  static JsonObject readJson(Path file) {
    try {
      return JsonParser.parseString(Files.readString(file)).getAsJsonObject();
    } catch (IOException | RuntimeException e) {
      throw new CheckpointException("cannot read " + file + ": " + e.getMessage(), e);
    }
  }
}
