package dev.parlance.tts.core.tokenizer;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import dev.parlance.tts.core.checkpoint.CheckpointException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;

/**
 * The two tokenizers of a Parler-TTS checkpoint. The description (voice style) always goes through
 * the T5 tokenizer of the text encoder, right-padded, ending with {@code </s>}. The prompt
 * (transcript) goes through the repository's tokenizer, left-padded:
 *
 * <ul>
 *   <li>v1 models (mini-v1, large-v1): the repository tokenizer is that T5 tokenizer, used for
 *       both.
 *   <li>mini-v1.1: the repository tokenizer is a Llama-style prompt tokenizer, and the T5
 *       description tokenizer ({@code google/flan-t5-large}'s) is not in the repository. It is
 *       looked up in {@code <checkpoint>/}{@value #DESCRIPTION_TOKENIZER_DIR}{@code /} or at a
 *       configured path.
 * </ul>
 *
 * <p>Thread-safe. Holds native handles: close it.
 */
public final class ParlerTokenizers implements AutoCloseable {

  /** Sub-directory of a checkpoint that holds a separate T5 description tokenizer. */
  public static final String DESCRIPTION_TOKENIZER_DIR = "description_tokenizer";

  private static final String DEFAULT_DESCRIPTION_TOKENIZER = "google/flan-t5-large";

  private final TextTokenizer description;
  private final TextTokenizer prompt;

  private ParlerTokenizers(TextTokenizer description, TextTokenizer prompt) {
    this.description = description;
    this.prompt = prompt;
  }

  /**
   * The hub repository whose tokenizer must be fetched for the descriptions, if this checkpoint
   * needs one: its repository tokenizer is not a T5 tokenizer and it has no {@value
   * #DESCRIPTION_TOKENIZER_DIR} sub-directory. The repository is {@code
   * config.text_encoder._name_or_path} ({@code google/flan-t5-large} for mini-v1.1; also the
   * fallback when the config does not say, as every flan-T5 size shares one tokenizer).
   */
  public static Optional<String> descriptionTokenizerToFetch(Path checkpointDir) {
    if (Files.isDirectory(checkpointDir.resolve(DESCRIPTION_TOKENIZER_DIR))
        || isT5(checkpointDir)) {
      return Optional.empty();
    }
    return Optional.of(textEncoderName(checkpointDir).orElse(DEFAULT_DESCRIPTION_TOKENIZER));
  }

  /** Loads the tokenizers of a checkpoint directory; see {@link #load(Path, Path)}. */
  public static ParlerTokenizers load(Path checkpointDir) {
    return load(checkpointDir, null);
  }

  /**
   * Loads the tokenizers of a checkpoint directory.
   *
   * @param checkpointDir holds the repository's {@code tokenizer.json}
   * @param descriptionTokenizer a T5 tokenizer directory or {@code tokenizer.json} for the
   *     descriptions, or null: then {@code <checkpointDir>/description_tokenizer} when present,
   *     else the repository tokenizer when it is a T5 tokenizer
   * @throws CheckpointException a tokenizer is missing or unreadable; the message says where the
   *     description tokenizer is expected
   */
  public static ParlerTokenizers load(Path checkpointDir, Path descriptionTokenizer) {
    Path subDir = checkpointDir.resolve(DESCRIPTION_TOKENIZER_DIR);
    if (descriptionTokenizer == null && Files.isDirectory(subDir)) {
      descriptionTokenizer = subDir;
    }
    if (descriptionTokenizer == null) {
      Optional<String> missing = descriptionTokenizerToFetch(checkpointDir);
      if (missing.isPresent()) {
        throw new CheckpointException(
            "the tokenizer in "
                + checkpointDir
                + " is a separate prompt tokenizer (as in parler-tts-mini-v1.1), and no T5"
                + " description tokenizer was found: put the tokenizer.json of "
                + missing.get()
                + " (config.json text_encoder._name_or_path) into "
                + subDir
                + " or configure the description tokenizer path");
      }
    }
    TextTokenizer prompt = TextTokenizer.load(checkpointDir);
    if (descriptionTokenizer == null) {
      return new ParlerTokenizers(prompt, prompt);
    }
    try {
      return new ParlerTokenizers(TextTokenizer.load(descriptionTokenizer), prompt);
    } catch (RuntimeException e) {
      prompt.close();
      throw e;
    }
  }

  /**
   * Descriptions for the T5 encoder: right-padded with the pad id (0), each ending with {@code
   * </s>}.
   */
  public TokenBatch encodeDescriptions(List<String> texts) {
    return description.encodeBatch(texts, PaddingSide.RIGHT);
  }

  /** Transcripts for the prompt embedding: left-padded with the prompt tokenizer's pad id. */
  public TokenBatch encodePrompts(List<String> texts) {
    return prompt.encodeBatch(texts, PaddingSide.LEFT);
  }

  /** The description (T5) tokenizer. */
  public TextTokenizer description() {
    return description;
  }

  /** The prompt tokenizer; the same object as {@link #description()} for v1 models. */
  public TextTokenizer prompt() {
    return prompt;
  }

  @Override
  public void close() {
    try {
      prompt.close();
    } finally {
      if (description != prompt) {
        description.close();
      }
    }
  }

  /**
   * Whether the repository tokenizer is a T5 tokenizer: {@code tokenizer_class} says so, or, with
   * no class given, {@code tokenizer.json} holds a Unigram model.
   */
  private static boolean isT5(Path dir) {
    Path config = dir.resolve("tokenizer_config.json");
    if (Files.isRegularFile(config)) {
      JsonElement cls = TextTokenizer.readJson(config).get("tokenizer_class");
      if (cls != null && !cls.isJsonNull()) {
        return cls.getAsString().startsWith("T5");
      }
    }
    Path file = dir.resolve(TextTokenizer.TOKENIZER_FILE);
    if (!Files.isRegularFile(file)) {
      return true; // let loading report the missing file
    }
    JsonElement model = TextTokenizer.readJson(file).get("model");
    return model != null
        && model.isJsonObject()
        && "Unigram".equals(stringOrNull(model.getAsJsonObject().get("type")));
  }

  /** {@code text_encoder._name_or_path} from config.json, when set. */
  private static Optional<String> textEncoderName(Path dir) {
    Path config = dir.resolve("config.json");
    if (Files.isRegularFile(config)) {
      JsonElement encoder = TextTokenizer.readJson(config).get("text_encoder");
      if (encoder != null && encoder.isJsonObject()) {
        String name = stringOrNull(((JsonObject) encoder).get("_name_or_path"));
        if (name != null && !name.isBlank()) {
          return Optional.of(name);
        }
      }
    }
    return Optional.empty();
  }

  private static String stringOrNull(JsonElement e) {
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }
}
