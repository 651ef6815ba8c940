package dev.parlance.tts.core.model;

import ai.djl.Device;
import ai.djl.ndarray.BaseNDManager;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import ai.djl.nn.core.Linear;
import dev.parlance.tts.core.checkpoint.CheckpointException;
import dev.parlance.tts.core.checkpoint.CheckpointNames;
import dev.parlance.tts.core.checkpoint.TensorSource;
import dev.parlance.tts.core.checkpoint.WeightReader;
import dev.parlance.tts.core.device.DtypePolicy;
import dev.parlance.tts.core.generation.DecodeLoop;
import dev.parlance.tts.core.generation.DelayPattern;
import dev.parlance.tts.core.generation.Generation;
import dev.parlance.tts.core.generation.SamplingSettings;
import dev.parlance.tts.core.model.dac.DacDecoder;
import dev.parlance.tts.core.model.decoder.DecoderConfig;
import dev.parlance.tts.core.model.decoder.KvCache;
import dev.parlance.tts.core.model.decoder.ParlerDecoder;
import dev.parlance.tts.core.model.t5.T5Config;
import dev.parlance.tts.core.model.t5.T5Encoder;
import dev.parlance.tts.core.tokenizer.ParlerTokenizers;
import dev.parlance.tts.core.tokenizer.TokenBatch;
import dev.parlance.tts.spi.InvalidRequestException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * A loaded Parler-TTS checkpoint: tokenizers, T5 description encoder, conditioning glue ({@code
 * enc_to_dec_proj}, masks, {@code embed_prompts}), decoder and DAC. Weights are converted once at
 * load to the compute dtypes on one device. Thread-safe: requests keep their state in their own
 * managers and caches.
 */
public final class ParlerModel implements AutoCloseable {
  private static final String TEXT = "text_encoder.";
  private static final String DECODER = "decoder.";
  private static final String AUDIO = "audio_encoder.";
  private static final Pattern T5_NAMES =
      Pattern.compile(
          "text_encoder\\.(shared\\.weight|encoder\\.embed_tokens\\.weight"
              + "|encoder\\.final_layer_norm\\.weight|encoder\\.block\\.(\\d+)\\.layer\\.[01]\\..+)");

  private final ParlerConfig config;
  private final DtypePolicy dtypes;
  private final NDManager manager;
  private final ParlerTokenizers tokenizers;
  private final T5Encoder textEncoder;
  private final NDArray promptTable; // embed_prompts.weight (vocab, H)
  private final NDArray projWeight; // enc_to_dec_proj (H, D_t) or null
  private final NDArray projBias;
  private final ParlerDecoder decoder;
  private final DacDecoder dac;

  private ParlerModel(
      ParlerConfig config,
      DtypePolicy dtypes,
      NDManager manager,
      ParlerTokenizers tokenizers,
      T5Encoder textEncoder,
      NDArray promptTable,
      NDArray projWeight,
      NDArray projBias,
      ParlerDecoder decoder,
      DacDecoder dac) {
    this.config = config;
    this.dtypes = dtypes;
    this.manager = manager;
    this.tokenizers = tokenizers;
    this.textEncoder = textEncoder;
    this.promptTable = promptTable;
    this.projWeight = projWeight;
    this.projBias = projBias;
    this.decoder = decoder;
    this.dac = dac;
  }

  /**
   * Loads a checkpoint directory as published on the hub.
   *
   * @throws CheckpointException files missing or unreadable, tensors missing, unexpected or of the
   *     wrong dtype/shape (all listed), or a config this port does not implement
   */
  public static ParlerModel load(Path dir, Device device, DtypePolicy dtypes) {
    return load(dir, null, device, dtypes);
  }

  /**
   * Loads a checkpoint directory whose T5 description tokenizer lives elsewhere (mini-v1.1 ships
   * only its prompt tokenizer).
   *
   * @param descriptionTokenizer a T5 tokenizer directory or file, or null to use the checkpoint's
   */
  public static ParlerModel load(
      Path dir, Path descriptionTokenizer, Device device, DtypePolicy dtypes) {
    ParlerConfig config = ParlerConfig.load(dir);
    NDManager manager = NDManager.newBaseManager(device);
    ParlerTokenizers tokenizers = null;
    try (TensorSource source = TensorSource.open(dir)) {
      DecoderConfig dc = ParlerDecoder.detectLayout(source, DECODER, config.decoder());
      T5Config t5 = T5Config.fromJson(config.textEncoder());
      verifyNames(source, config, dc, t5);
      tokenizers = ParlerTokenizers.load(dir, descriptionTokenizer);
      T5Encoder textEncoder =
          T5Encoder.load(source, TEXT, t5, manager, dtypes.textEncoderWeights());
      WeightReader r = new WeightReader(source, manager, dtypes.decoderWeights());
      long h = dc.hiddenSize();
      NDArray prompts = r.compute("embed_prompts.weight", config.promptVocabSize(), h);
      NDArray projW = null;
      NDArray projB = null;
      if (config.hasEncoderProjection()) {
        projW = r.compute("enc_to_dec_proj.weight", h, config.textHiddenSize());
        projB = r.compute("enc_to_dec_proj.bias", h);
      }
      ParlerDecoder decoder = ParlerDecoder.load(r, DECODER, dc);
      int sampleRate =
          JsonFields.optInt(config.audioEncoder(), "audio_encoder", "sampling_rate", 44_100);
      DacDecoder dac = DacDecoder.load(source, AUDIO, manager, dtypes.audioDecoder(), sampleRate);
      if (dac.config().numCodebooks() != dc.numCodebooks()
          || dac.config().codebookSize() != config.codebookSize()) {
        throw new CheckpointException(
            "DAC has "
                + dac.config().numCodebooks()
                + " codebooks of "
                + dac.config().codebookSize()
                + "; the decoder expects "
                + dc.numCodebooks()
                + " of "
                + config.codebookSize());
      }
      return new ParlerModel(
          config, dtypes, manager, tokenizers, textEncoder, prompts, projW, projB, decoder, dac);
    } catch (RuntimeException e) {
      manager.close();
      if (tokenizers != null) {
        tokenizers.close();
      }
      throw e;
    }
  }

  /** Every tensor outside the DAC must be one this port reads; the DAC loader checks its own. */
  private static void verifyNames(
      TensorSource source, ParlerConfig config, DecoderConfig dc, T5Config t5) {
    List<String> required = new ArrayList<>(ParlerDecoder.tensorNames(DECODER, dc));
    required.add("embed_prompts.weight");
    if (config.hasEncoderProjection()) {
      required.add("enc_to_dec_proj.weight");
      required.add("enc_to_dec_proj.bias");
    }
    Set<String> decoderNames = new HashSet<>(required);
    decoderNames.add(DECODER + "model.decoder.embed_positions.weights");
    CheckpointNames.verify(
        source,
        required,
        name -> decoderNames.contains(name) || isT5Name(name, t5.numLayers()),
        name -> name.startsWith(AUDIO));
  }

  private static boolean isT5Name(String name, int layers) {
    var m = T5_NAMES.matcher(name);
    return m.matches() && (m.group(2) == null || Integer.parseInt(m.group(2)) < layers);
  }

  public ParlerConfig config() {
    return config;
  }

  /**
   * The most decoder steps one utterance may take: generation_config's max_length, capped by the
   * decoder's position table.
   */
  public int maxDecoderLength() {
    return Math.min(config.generation().maxLength(), decoder.config().maxPositions());
  }

  public DtypePolicy dtypes() {
    return dtypes;
  }

  public Device device() {
    return manager.getDevice();
  }

  public ParlerTokenizers tokenizers() {
    return tokenizers;
  }

  public ParlerDecoder decoder() {
    return decoder;
  }

  public DacDecoder dac() {
    return dac;
  }

  public T5Encoder textEncoder() {
    return textEncoder;
  }

  /** A manager on the model's device for one request's arrays; close it after the request. */
  public NDManager newRequestManager() {
    return manager.newSubManager();
  }

  /**
   * Encodes descriptions and prompts (as token batches: descriptions right-padded, prompts
   * left-padded) into the decoder's conditioning, in {@code request}'s manager.
   */
  public Conditioning condition(TokenBatch descriptions, TokenBatch prompts, NDManager request) {
    if (descriptions.size() != prompts.size()) {
      throw new IllegalArgumentException(
          descriptions.size() + " descriptions but " + prompts.size() + " prompts");
    }
    NDArray mask = descriptions.maskArray(request);
    NDArray text = textEncoder.encode(descriptions.idsArray(request), mask);
    text.attach(request);
    return new Conditioning(
        text,
        project(text, mask),
        descriptions.mask(),
        embedPrompts(prompts, request),
        prompts.mask());
  }

  /**
   * The decoder's view of descriptions alone, E (B,S,H): T5, {@code enc_to_dec_proj}, padded rows
   * zeroed; in {@code target}, without intermediates (what a description cache keeps).
   */
  public NDArray encodeDescriptions(TokenBatch descriptions, NDManager target) {
    try (NDManager scratch = target.newSubManager()) {
      NDArray mask = descriptions.maskArray(scratch);
      NDArray text = textEncoder.encode(descriptions.idsArray(scratch), mask);
      text.attach(scratch);
      NDArray states = project(text, mask);
      states.attach(target);
      return states;
    }
  }

  /** {@code embed_prompts(prompt ids)} (B,P,H) in {@code request}. */
  public NDArray embedPrompts(TokenBatch prompts, NDManager request) {
    NDArray promptEmbeds =
        Embedding.embedding(prompts.idsArray(request), promptTable, SparseFormat.DENSE)
            .singletonOrThrow();
    promptEmbeds.attach(request);
    return promptEmbeds;
  }

  /** E from raw T5 states: compute dtype, {@code enc_to_dec_proj} when present, pads zeroed. */
  private NDArray project(NDArray text, NDArray mask) {
    NDArray states = text.toType(dtypes.decoder(), false);
    if (projWeight != null) {
      states = Linear.linear(states, projWeight, projBias).singletonOrThrow();
    }
    return states.mul(mask.expandDims(2).toType(dtypes.decoder(), false));
  }

  /** Tokenizes and conditions one batch of (description, transcript) pairs. */
  public Conditioning condition(
      List<String> descriptions, List<String> prompts, NDManager request) {
    return condition(
        tokenizers.encodeDescriptions(descriptions), tokenizers.encodePrompts(prompts), request);
  }

  /**
   * Caps max_length so prompt plus audio fit the decoder's position table (P + max_length must not
   * exceed max_position_embeddings).
   *
   * @throws InvalidRequestException the prompt alone leaves no room for audio
   */
  public SamplingSettings fitPositions(SamplingSettings s, int promptLength) {
    int room = decoder.config().maxPositions() - promptLength;
    if (room < decoder.config().numCodebooks() + 2) {
      throw new InvalidRequestException(
          "text",
          "text is "
              + promptLength
              + " tokens; the model's "
              + decoder.config().maxPositions()
              + " positions leave no room for audio");
    }
    return s.maxLength() <= room
        ? s
        : new SamplingSettings(
            s.greedy(), s.temperature(), s.topK(), s.topP(), s.seed(), room, s.minNewTokens());
  }

  /**
   * Generates code frames for a conditioned batch.
   *
   * @param listener sees every step (streaming, cancellation by throwing); may be null
   */
  public Generation generate(
      Conditioning c,
      SamplingSettings settings,
      NDManager request,
      DecodeLoop.StepListener listener) {
    int capacity = c.promptLength() + settings.maxLength();
    try (KvCache cache =
        decoder.newCache(
            c.encoderStates(),
            c.descriptionMask(),
            c.promptMask(),
            capacity,
            request.newSubManager())) {
      return DecodeLoop.run(
          decoder, cache, c.promptEmbeds(), config.generation(), settings, request, listener);
    }
  }

  /**
   * Decodes reverted codes (B, K, T) to audio as the reference does: when no special id is present,
   * one batched DAC call; otherwise each item alone on its valid frames (an item without any yields
   * one zero sample). Items are zero-padded to the longest.
   */
  public AudioBatch decodeAudio(long[][][] codes) {
    int b = codes.length;
    int k = decoder.config().numCodebooks();
    int size = config.codebookSize();
    int hop = dac.config().hopLength();
    boolean special = false;
    for (long[][] item : codes) {
      for (long[] row : item) {
        for (long id : row) {
          special |= id < 0 || id >= size;
        }
      }
    }
    float[][] audio = new float[b][];
    int[] lengths = new int[b];
    if (!special && b > 0) {
      int frames = codes[0][0].length;
      long[] flat = new long[b * k * frames];
      for (int i = 0; i < b; i++) {
        for (int q = 0; q < k; q++) {
          System.arraycopy(codes[i][q], 0, flat, (i * k + q) * frames, frames);
        }
      }
      try (NDManager scope = manager.newSubManager()) {
        float[] all = dac.decode(scope.create(flat, new Shape(b, k, frames))).toFloatArray();
        int n = frames * hop;
        for (int i = 0; i < b; i++) {
          audio[i] = java.util.Arrays.copyOfRange(all, i * n, (i + 1) * n);
          lengths[i] = n;
        }
      }
      return new AudioBatch(audio, lengths);
    }
    int longest = 0;
    for (int i = 0; i < b; i++) {
      long[][] valid = DelayPattern.validFrames(codes[i], size);
      audio[i] = valid[0].length == 0 ? new float[1] : dac.decode(valid);
      lengths[i] = audio[i].length;
      longest = Math.max(longest, lengths[i]);
    }
    for (int i = 0; i < b; i++) {
      audio[i] = java.util.Arrays.copyOf(audio[i], longest);
    }
    return new AudioBatch(audio, lengths);
  }

  @Override
  public void close() {
    try {
      textEncoder.close();
      dac.close();
      manager.close();
    } finally {
      tokenizers.close();
    }
  }

  /**
   * Arrays alive in the model's manager tree (weights plus whatever requests hold right now); flat
   * across requests when nothing leaks.
   */
  public int liveArrays() {
    return ((BaseNDManager) manager).getManagedArrays().size();
  }
}
