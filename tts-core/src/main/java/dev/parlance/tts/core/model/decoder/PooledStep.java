package dev.parlance.tts.core.model.decoder;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import dev.parlance.tts.core.kernel.PackedKernels;
import dev.parlance.tts.core.kernel.Projection;
import dev.parlance.tts.core.script.TorchScriptModule;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The pooled decoding step ({@link ParlerDecoder#stepRows}) as one TorchScript call through every
 * layer ({@code pooled_step.torchscript} beside this class).
 *
 * <p>Why: a step runs ~30 small tensor ops per layer besides the weight products. Through DJL each
 * costs a JNI call and an NDArray's bookkeeping: 9-14 ms per mini-v1 step on a 2-core CPU, against
 * 2-3 ms inside one TorchScript call (benchmarks/README.md, runs 16-17). The weight products go
 * through {@link PackedKernels#scriptMethods}, so every weight format runs here.
 *
 * <p>The decoder's tensors are handed over once, as TorchScript lists that share their storage;
 * each step passes only the ids, positions, the pool's tensors (written in place) and the masks.
 */
final class PooledStep {
  private static final String CLASS = "ParlanceDecoderStep";
  private static final Map<Device, TorchScriptModule> MODULES = new ConcurrentHashMap<>();
  private static final List<String> ACTIVATIONS = List.of("gelu", "gelu_new", "relu", "silu");

  private final TorchScriptModule module;
  private final IValue model;
  private final IValue norms;
  private final IValue kernels;
  private final IValue weights;
  private final IValue sizes;
  private final IValue eps;

  /**
   * @param tables embeddings, sinusoid table, RoPE cos, RoPE sin, rotate-half, final norm weight
   *     and bias; null where the variant has none
   * @param owner the decoder's manager: it closes these lists with the model
   */
  PooledStep(
      DecoderConfig config,
      NDArray[] tables,
      DecoderLayer[] layers,
      Projection heads,
      NDManager owner) {
    this.module = MODULES.computeIfAbsent(owner.getDevice(), PooledStep::compile);
    try (NDManager scratch = owner.newSubManager()) {
      IValue[] model = new IValue[tables.length];
      for (int i = 0; i < tables.length; i++) {
        NDArray t = tables[i] != null ? tables[i] : scratch.create(new Shape(0), DataType.FLOAT32);
        model[i] = IValue.from((PtNDArray) t);
      }
      this.model = own(IValue.listFrom(model), owner);
      close(model);
    }
    IValue[] norms = new IValue[layers.length];
    IValue[] kernels = new IValue[layers.length + 1];
    IValue[] weights = new IValue[layers.length + 1];
    for (int i = 0; i < layers.length; i++) {
      NDArray[] n = layers[i].norms();
      PtNDArray[] pt = new PtNDArray[n.length];
      for (int j = 0; j < n.length; j++) {
        pt[j] = (PtNDArray) n[j];
      }
      norms[i] = IValue.listFrom(pt);
      kernels[i] = kernelIds(layers[i].stepProjections());
      weights[i] = tensors(layers[i].stepProjections());
    }
    kernels[layers.length] = kernelIds(heads);
    weights[layers.length] = tensors(heads);
    this.norms = own(IValue.listFrom(norms), owner);
    this.kernels = own(IValue.listFrom(kernels), owner);
    this.weights = own(IValue.listFrom(weights), owner);
    close(norms);
    close(kernels);
    close(weights);
    this.sizes =
        own(
            IValue.listFrom(
                config.numHeads(),
                config.numKeyValueHeads(),
                config.numCrossKeyValueHeads(),
                config.headDim(),
                ACTIVATIONS.indexOf(config.activation())),
            owner);
    this.eps = own(IValue.from(DecoderConfig.LAYER_NORM_EPS), owner);
  }

  private static TorchScriptModule compile(Device device) {
    String resource = "pooled_step.torchscript";
    try (InputStream in = PooledStep.class.getResourceAsStream(resource)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + resource);
      }
      String step = new String(in.readAllBytes(), StandardCharsets.UTF_8);
      return TorchScriptModule.compile(device, CLASS, PackedKernels.scriptMethods(CLASS) + step);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Runs the step for R rows sorted by slot.
   *
   * @param ids (R, 1, K) rows of the stacked embedding table
   * @param rows the pool's indices and masks for these rows
   * @return logits (R, K*V) in slot order, in {@code step}
   */
  NDArray run(NDArray ids, KvPool pool, KvPool.Step rows, NDManager step) {
    NDArray none = step.create(new long[0]);
    List<IValue> fresh = new ArrayList<>(); // this step's values; the constants stay
    try {
      IValue[] args = {
        add(fresh, tensor(ids)),
        add(fresh, tensor(rows.positions())),
        model,
        norms,
        kernels,
        weights,
        sizes,
        eps,
        add(fresh, list(pool.keysT)),
        add(fresh, list(pool.values)),
        add(fresh, list(pool.crossKeysT)),
        add(fresh, list(pool.crossValues)),
        add(fresh, tensor(rows.slotIds())),
        add(fresh, IValue.listFrom(rows.lo(), rows.hi(), rows.selfLength(), rows.crossLength())),
        add(fresh, tensor(rows.selfMask())),
        add(fresh, tensor(rows.crossMask())),
        add(fresh, tensor(rows.spread() != null ? rows.spread() : none)),
        add(fresh, tensor(rows.gather() != null ? rows.gather() : none))
      };
      try (IValue logits = module.run("step", args)) {
        return logits.toTensor((PtNDManager) step);
      }
    } finally {
      close(fresh.toArray(new IValue[0]));
    }
  }

  private static IValue add(List<IValue> values, IValue value) {
    values.add(value);
    return value;
  }

  private static IValue kernelIds(Projection... projections) {
    long[] ids = new long[projections.length];
    for (int i = 0; i < ids.length; i++) {
      ids[i] = projections[i].kernel().ordinal();
    }
    return IValue.listFrom(ids);
  }

  private static IValue tensors(Projection... projections) {
    IValue[] each = new IValue[projections.length];
    for (int i = 0; i < each.length; i++) {
      each[i] = projections[i].tensors();
    }
    IValue all = IValue.listFrom(each);
    close(each);
    return all;
  }

  private static IValue tensor(NDArray a) {
    return IValue.from((PtNDArray) a);
  }

  private static IValue list(NDArray[] arrays) {
    PtNDArray[] pt = new PtNDArray[arrays.length];
    for (int i = 0; i < arrays.length; i++) {
      pt[i] = (PtNDArray) arrays[i];
    }
    return IValue.listFrom(pt);
  }

  private static IValue own(IValue value, NDManager owner) {
    owner.attachInternal(UUID.randomUUID().toString(), value);
    return value;
  }

  private static void close(IValue[] values) {
    for (IValue v : values) {
      v.close();
    }
  }
}
