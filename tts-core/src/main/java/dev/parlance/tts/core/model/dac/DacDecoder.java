package dev.parlance.tts.core.model.dac;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.parlance.tts.core.checkpoint.CheckpointException;
import dev.parlance.tts.core.checkpoint.TensorSource;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.UnaryOperator;

/**
 * The DAC decoder (descript-audio-codec, 44.1 kHz in Parler-TTS): code frames to audio (spec §7).
 *
 * <pre>
 * codes (B, K, T)
 *   -> quantizer from_codes: sum_q out_proj_q(codebook_q[codes_q])   (B, latent, T)
 *   -> conv k7                                                       (B, decoderDim, T)
 *   -> per rate s: Snake, ConvTranspose1d (x s, channels / 2), 3 residual units (dilation 1, 3, 9)
 *   -> Snake -> conv k7 to 1 channel -> tanh                          (B, T * hop)
 * </pre>
 *
 * The architecture is inferred from weight shapes; every decode-path tensor must be present. Weight
 * norm is folded once at load in fp32. Decoding is stateless, so concurrent calls are safe.
 */
public final class DacDecoder implements AutoCloseable {
  /** Output elements per time tile of a decoder block: a few MB, cache-sized. */
  static final long DEFAULT_TILE_ELEMENTS = 1 << 21;

  private final NDManager manager; // owns the weights
  private final DacConfig config;
  private final DacLayout layout;
  private final DacQuantizer quantizer;
  private final List<DacLayer> layers; // conv_in, blocks, final snake, final conv; tanh follows
  private final ReceptiveField receptiveField;
  private long tileElements = DEFAULT_TILE_ELEMENTS;
  private final AtomicLong streamingPasses = new AtomicLong();

  private DacDecoder(
      NDManager manager,
      DacConfig config,
      DacLayout layout,
      DacQuantizer quantizer,
      List<DacLayer> layers) {
    this.manager = manager;
    this.config = config;
    this.layout = layout;
    this.quantizer = quantizer;
    this.layers = layers;
    this.receptiveField = measureReceptiveField();
  }

  /**
   * Loads the decoder of a 44.1 kHz DAC; see {@link #load(TensorSource, String, NDManager,
   * DataType, int)}.
   */
  public static DacDecoder load(
      TensorSource weights, String prefix, NDManager manager, DataType dtype) {
    return load(weights, prefix, manager, dtype, DacConfig.DEFAULT_SAMPLE_RATE);
  }

  /**
   * Loads the quantizer tables and decoder under {@code prefix}, detecting the layout ({@link
   * DacLayout}) from key names and the architecture from weight shapes.
   *
   * @param prefix the DAC's key prefix, {@code "audio_encoder."} in Parler checkpoints
   * @param manager the weights live in a child of this manager, on its device; {@link #close()}
   *     frees them
   * @param dtype compute dtype (float32 is the reference; the weight-norm fold is always fp32)
   * @param sampleRate the model config's {@code sampling_rate}
   * @throws CheckpointException no DAC under {@code prefix}, decode-path tensors missing or
   *     unexpected (all of them listed), or a shape that does not fit the architecture
   */
  public static DacDecoder load(
      TensorSource weights, String prefix, NDManager manager, DataType dtype, int sampleRate) {
    DacLayout layout = detectLayout(weights, prefix);
    DacKeys keys = new DacKeys(prefix, layout);
    DacConfig config = inferConfig(weights, prefix, layout, keys, sampleRate);
    checkNames(weights, prefix, layout, keys, config);

    NDManager owned = manager.newSubManager();
    try {
      DacWeights w = new DacWeights(weights, layout, owned, dtype);
      DacQuantizer quantizer =
          DacQuantizer.load(
              w,
              keys,
              config.numCodebooks(),
              config.codebookSize(),
              config.codebookDim(),
              config.latentDim());
      List<DacLayer> layers = new ArrayList<>();
      layers.add(DacConv1d.load(w, keys.convIn(), config.latentDim(), config.decoderDim(), -1, 1));
      long channels = config.decoderDim();
      int blocks = config.decoderRates().length;
      for (int b = 0; b < blocks; b++) {
        DacDecoderBlock block = DacDecoderBlock.load(w, keys, b, channels);
        layers.add(block);
        channels = block.outChannels();
      }
      layers.add(Snake1d.load(w, keys.finalSnake(blocks), channels));
      layers.add(DacConv1d.load(w, keys.finalConv(blocks), channels, 1, -1, 1));
      return new DacDecoder(owned, config, layout, quantizer, List.copyOf(layers));
    } catch (RuntimeException e) {
      owned.close();
      throw e;
    }
  }

  /** The architecture, as inferred from the weights. */
  public DacConfig config() {
    return config;
  }

  /** The weight layout the checkpoint uses. */
  public DacLayout layout() {
    return layout;
  }

  /** How much context a window needs to decode exactly, from the inferred architecture. */
  public ReceptiveField receptiveField() {
    return receptiveField;
  }

  /**
   * Decodes code frames to audio.
   *
   * @param codes (B, K, T) integer ids, each in {@code [0, codebookSize)} (drop frames holding
   *     special ids first)
   * @return (B, T * hopLength) float32 audio in [-1, 1], attached to {@code codes}' manager
   * @throws IllegalArgumentException wrong shape or an id out of range
   */
  public NDArray decode(NDArray codes) {
    if (codes.getShape().dimension() == 3 && codes.getShape().get(2) == 0) {
      return codes.getManager().zeros(new Shape(codes.getShape().get(0), 0));
    }
    return run(
        codes,
        latent -> {
          NDArray x = latent;
          for (DacLayer layer : layers) {
            try (NDArray previous = x) {
              x =
                  layer instanceof DacDecoderBlock block
                      ? block.forward(previous, tileElements)
                      : layer.forward(previous);
            }
          }
          try (NDArray last = x) {
            return last.tanh().squeeze(1);
          }
        });
  }

  /**
   * The quantizer's {@code from_codes}: (B, K, T) ids to the (B, latentDim, T) float32 latent, the
   * decoder's input. Attached to {@code codes}' manager.
   */
  public NDArray fromCodes(NDArray codes) {
    return run(codes, latent -> latent);
  }

  /**
   * Decodes one utterance given as host ids.
   *
   * @param codes {@code codes[k][t]}: K rows of T frames
   * @return T * hopLength samples
   */
  public float[] decode(long[][] codes) {
    int k = config.numCodebooks();
    if (codes.length != k) {
      throw new IllegalArgumentException("codes has " + codes.length + " codebooks, expected " + k);
    }
    int frames = codes[0].length;
    long[] flat = new long[k * frames];
    for (int q = 0; q < k; q++) {
      if (codes[q].length != frames) {
        throw new IllegalArgumentException("codes rows differ in length");
      }
      System.arraycopy(codes[q], 0, flat, q * frames, frames);
    }
    try (NDManager scope = manager.newSubManager()) {
      return decode(scope.create(flat, new Shape(1, k, frames))).toFloatArray();
    }
  }

  /** Sets the time-tile size of the decoder blocks (tests force tiling with small tiles). */
  void tileElements(long elements) {
    this.tileElements = elements;
  }

  /** A manager for arrays on the decoder's device, freed with the decoder at the latest. */
  NDManager newScope() {
    return manager.newSubManager();
  }

  DacQuantizer quantizer() {
    return quantizer;
  }

  /** One incremental stage per layer after the quantizer, in order; the output still needs tanh. */
  List<StreamingStage> streamingStages() {
    List<StreamingStage> stages = new ArrayList<>();
    for (DacLayer layer : layers) {
      stages.add(
          new StreamingStage(
              layer,
              x -> {
                streamingPasses.incrementAndGet();
                return layer instanceof DacDecoderBlock block
                    ? block.forward(x, tileElements)
                    : layer.forward(x);
              }));
    }
    return stages;
  }

  /**
   * Layer passes run by streaming decodes so far ({@link DacStreamDecoder}); a pass over a batch of
   * streams counts once, so this shows how well concurrent streams batch.
   */
  public long streamingPasses() {
    return streamingPasses.get();
  }

  /** Runs the quantizer and then {@code body} in a scope that frees every intermediate array. */
  private NDArray run(NDArray codes, UnaryOperator<NDArray> body) {
    Shape shape = codes.getShape();
    if (shape.dimension() != 3 || shape.get(1) != config.numCodebooks()) {
      throw new IllegalArgumentException(
          "codes must be (batch, " + config.numCodebooks() + ", frames), got " + shape);
    }
    if (!codes.getDataType().isInteger()) {
      throw new IllegalArgumentException("codes must be integer ids, got " + codes.getDataType());
    }
    NDManager caller = codes.getManager();
    Device device = manager.getDevice();
    try (NDManager scope = manager.newSubManager()) {
      codes.tempAttach(scope);
      NDArray ids = codes.toDevice(device, false).toType(DataType.INT64, false);
      if (shape.get(2) > 0) {
        long min = ids.min().getLong();
        long max = ids.max().getLong();
        if (min < 0 || max >= config.codebookSize()) {
          throw new IllegalArgumentException(
              "code ids must be in [0, "
                  + config.codebookSize()
                  + "), got ["
                  + min
                  + ", "
                  + max
                  + "]; special ids (EOS/PAD/BOS) must be dropped before decoding");
        }
      }
      NDArray out = body.apply(quantizer.forward(ids));
      if (out.getDataType() != DataType.FLOAT32) {
        out = out.toType(DataType.FLOAT32, false);
      }
      out = out.toDevice(codes.getDevice(), false);
      out.attach(caller);
      return out;
    }
  }

  private ReceptiveField measureReceptiveField() {
    long frames = 1_000_000; // any window far wider than the reach of the padding
    Span span = quantizer.exactOutputs(new Span(0, frames));
    for (DacLayer layer : layers) {
      span = layer.exactOutputs(span);
    }
    return new ReceptiveField(
        Math.toIntExact(span.from()),
        Math.toIntExact(frames * config.hopLength() - span.to()),
        config.hopLength());
  }

  @Override
  public void close() {
    manager.close();
  }

  // ---- loading --------------------------------------------------------------------------------

  private static DacLayout detectLayout(TensorSource weights, String prefix) {
    boolean transformers = false;
    boolean descript = false;
    for (String name : weights.names()) {
      transformers |= name.startsWith(prefix + "decoder.");
      descript |= name.startsWith(prefix + "model.decoder.");
    }
    if (transformers) {
      return DacLayout.TRANSFORMERS;
    }
    if (descript) {
      String convIn = new DacKeys(prefix, DacLayout.FOLDED).convIn();
      for (DacLayout layout :
          List.of(DacLayout.WEIGHT_NORM, DacLayout.PARAMETRIZATIONS, DacLayout.FOLDED)) {
        if (weights.contains(layout.weightKey(convIn))) {
          return layout;
        }
      }
      throw new CheckpointException(
          "unknown DAC weight layout: none of "
              + convIn
              + ".{weight_v, parametrizations.weight.original1, weight} exists");
    }
    throw new CheckpointException(
        "no DAC decoder weights: no tensor named '"
            + prefix
            + "model.decoder.*' (descript dac) or '"
            + prefix
            + "decoder.*' (transformers DacModel)");
  }

  /** Infers the architecture from weight shapes (fixture README note 15). */
  private static DacConfig inferConfig(
      TensorSource weights, String prefix, DacLayout layout, DacKeys keys, int sampleRate) {
    String convIn = layout.weightKey(keys.convIn());
    if (!weights.contains(convIn) || !weights.contains(keys.codebook(0))) {
      List<String> missing = new ArrayList<>();
      for (String name : List.of(convIn, keys.codebook(0))) {
        if (!weights.contains(name)) {
          missing.add(name);
        }
      }
      throw new CheckpointException(
          "DAC (" + layout + ") under '" + prefix + "': missing tensors " + missing);
    }
    int codebooks = 0;
    while (weights.contains(keys.codebook(codebooks))) {
      codebooks++;
    }
    long[] codebook = weights.info(keys.codebook(0)).shape();
    long[] conv = weights.info(convIn).shape(); // (decoderDim, latent, k)
    List<Integer> rates = new ArrayList<>();
    while (weights.contains(layout.weightKey(keys.blockConvTranspose(rates.size())))) {
      long[] convT = weights.info(layout.weightKey(keys.blockConvTranspose(rates.size()))).shape();
      rates.add((int) (convT[2] / 2)); // kernel = 2 * stride
    }
    if (rates.isEmpty()) {
      throw new CheckpointException(
          "DAC ("
              + layout
              + ") under '"
              + prefix
              + "': missing tensors ["
              + layout.weightKey(keys.blockConvTranspose(0))
              + "]");
    }
    int[] decoderRates = rates.stream().mapToInt(Integer::intValue).toArray();
    int hop = 1;
    for (int rate : decoderRates) {
      hop = Math.multiplyExact(hop, rate);
    }
    return new DacConfig(
        codebooks,
        Math.toIntExact(codebook[0]),
        Math.toIntExact(codebook[1]),
        Math.toIntExact(conv[1]),
        Math.toIntExact(conv[0]),
        decoderRates,
        hop,
        sampleRate);
  }

  /** Every tensor the decode path reads, in checkpoint order. */
  private static Set<String> expectedNames(DacLayout layout, DacKeys keys, DacConfig config) {
    Set<String> names = new LinkedHashSet<>();
    for (int q = 0; q < config.numCodebooks(); q++) {
      names.add(keys.codebook(q));
      names.addAll(layout.convKeys(keys.outProj(q)));
    }
    names.addAll(layout.convKeys(keys.convIn()));
    int blocks = config.decoderRates().length;
    for (int b = 0; b < blocks; b++) {
      names.add(keys.blockSnake(b));
      names.addAll(layout.convKeys(keys.blockConvTranspose(b)));
      for (int u = 0; u < DacDecoderBlock.RESIDUAL_UNITS; u++) {
        names.add(keys.residualSnake1(b, u));
        names.addAll(layout.convKeys(keys.residualConv1(b, u)));
        names.add(keys.residualSnake2(b, u));
        names.addAll(layout.convKeys(keys.residualConv2(b, u)));
      }
    }
    names.add(keys.finalSnake(blocks));
    names.addAll(layout.convKeys(keys.finalConv(blocks)));
    return names;
  }

  /**
   * Fails unless the checkpoint has exactly the decode-path tensors under {@code prefix}, besides
   * the DAC encoder and the quantizer's {@code in_proj}, which only encoding reads. A missing
   * tensor would otherwise decode noise (the "large-v1 generates only noise" reports).
   */
  private static void checkNames(
      TensorSource weights, String prefix, DacLayout layout, DacKeys keys, DacConfig config) {
    Set<String> expected = expectedNames(layout, keys, config);
    Set<String> missing = new TreeSet<>();
    for (String name : expected) {
      if (!weights.contains(name)) {
        missing.add(name);
      }
    }
    Set<String> unexpected = new TreeSet<>();
    for (String name : weights.names()) {
      boolean encodeOnly =
          name.startsWith(keys.encoderPrefix())
              || (name.startsWith(keys.quantizerPrefix()) && name.contains(".in_proj."));
      if (name.startsWith(prefix) && !encodeOnly && !expected.contains(name)) {
        unexpected.add(name);
      }
    }
    if (!missing.isEmpty() || !unexpected.isEmpty()) {
      throw new CheckpointException(
          "DAC ("
              + layout
              + ", "
              + config
              + ") under '"
              + prefix
              + "' does not match its architecture: missing tensors "
              + missing
              + ", unexpected tensors "
              + unexpected);
    }
  }
}
