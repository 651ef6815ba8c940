package dev.parlance.tts.core.kernel;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Weight products through a TorchScript module compiled at load time: float32 and bfloat16 weights
 * pre-packed for oneDNN on the CPU, bfloat16 through {@code torch.linear} elsewhere, int8 through
 * PyTorch's weight-only int8 kernel.
 *
 * <p>DJL's JNI maps only float32/float64/float16/int/bool dtypes and aborts the process on any
 * other (bfloat16 included), and has no binding for oneDNN's packed layout, so packed weights never
 * become DJL arrays: they live as TorchScript values ({@link IValue}) that only this module's
 * methods read. Activations cross the boundary as float32 arrays.
 *
 * <p>Why oneDNN's packed layout on the CPU: {@code torch.linear} re-lays out the weight for every
 * call, and at one row it reads float32 weights at about half the machine's bandwidth. Weights
 * reordered once into oneDNN's blocked layout ({@code mkldnn::_reorder_linear_weight}) and
 * multiplied by {@code mkldnn::_linear_pointwise} read at 18-24 GB/s (floor 31-36 GB/s) on a 2-core
 * Zen 4: 1.3-1.5x faster at one row, 1.8-2.4x at 8-40 rows (benchmarks/README.md). A row's result
 * does not depend on which other rows share the product.
 */
public final class PackedKernels {
  private static final String CLASS = "ParlanceKernels";
  // c10::ScalarType numbers, as serialized TorchScript writes dtypes
  private static final int BF16 = 15;
  private static final int F32 = 6;
  private static final int I8 = 1;
  private static final int INT8_K_MULTIPLE = 16;
  // oneDNN picks the packed layout for this many rows; steps have 1-8, T5 tens (all fast with it)
  private static final int ONEDNN_ROWS_HINT = 1;
  private static final String NO_POST_OP =
      "None, \"none\", annotate(List[Optional[number]], []), None";
  private static final Map<Device, PackedKernels> SHARED = new ConcurrentHashMap<>();

  // self is annotated as serialized modules are; every method is pure.
  private static final String SOURCE =
      String.join(
          "\n",
          "class " + CLASS + "(Module):",
          "  __parameters__ = []",
          "  __buffers__ = []",
          "  training : bool",
          "  def forward(self: __torch__." + CLASS + ", x: Tensor) -> Tensor:",
          "    return x",
          "  def pack_bf16(self: __torch__." + CLASS + ", w: Tensor) -> Tensor:",
          "    return torch.contiguous(torch.to(w, " + BF16 + "))",
          // w (out, in) -> int8 rows, a bf16 unit scale the kernel wants, and the fp32 row scales
          "  def pack_int8(self: __torch__."
              + CLASS
              + ", w: Tensor)"
              + " -> Tuple[Tensor, Tensor, Tensor]:",
          "    scale = torch.clamp(torch.div(torch.amax(torch.abs(w), [1]), 127.), 1e-30)",
          "    q = torch.clamp(torch.round(torch.div(w, torch.unsqueeze(scale, 1))), -127., 127.)",
          "    unit = torch.ones_like(scale, dtype=" + BF16 + ")",
          "    return (torch.contiguous(torch.to(q, " + I8 + ")), unit, scale)",
          "  def pack_onednn_f32(self: __torch__." + CLASS + ", w: Tensor) -> Tensor:",
          "    return ops.mkldnn._reorder_linear_weight(torch.contiguous(w), "
              + ONEDNN_ROWS_HINT
              + ")",
          "  def pack_onednn_bf16(self: __torch__." + CLASS + ", w: Tensor) -> Tensor:",
          "    return ops.mkldnn._reorder_linear_weight(torch.contiguous(torch.to(w, "
              + BF16
              + ")), "
              + ONEDNN_ROWS_HINT
              + ")",
          // the op flattens leading dimensions itself
          "  def linear_onednn_f32(self: __torch__." + CLASS + ", x: Tensor, w: Tensor) -> Tensor:",
          "    return ops.mkldnn._linear_pointwise(x, w, " + NO_POST_OP + ")",
          "  def linear_onednn_bf16(self: __torch__."
              + CLASS
              + ", x: Tensor, w: Tensor) -> Tensor:",
          "    y = ops.mkldnn._linear_pointwise(torch.to(x, " + BF16 + "), w, " + NO_POST_OP + ")",
          "    return torch.to(y, " + F32 + ")",
          "  def linear_bf16(self: __torch__." + CLASS + ", x: Tensor, w: Tensor) -> Tensor:",
          "    return torch.to(torch.linear(torch.to(x, " + BF16 + "), w), " + F32 + ")",
          // the kernel takes 2-D bf16 input and returns bf16; the fp32 row scales come after it
          "  def linear_int8(self: __torch__."
              + CLASS
              + ", x: Tensor, q: Tensor, unit: Tensor,"
              + " scale: Tensor) -> Tensor:",
          "    shape = torch.size(x)",
          "    flat = torch.reshape(torch.to(x, " + BF16 + "), [-1, shape[-1]])",
          "    y = torch.mul(torch.to(torch._weight_int8pack_mm(flat, q, unit), "
              + F32
              + "), scale)",
          "    shape[-1] = torch.size(q, 0)",
          "    return torch.reshape(y, shape)",
          "");

  private final PtSymbolBlock module;
  private final boolean cpu;
  private volatile Boolean onednnBf16; // whether this CPU runs oneDNN's bf16 products

  private PackedKernels(PtSymbolBlock module, boolean cpu) {
    this.module = module;
    this.cpu = cpu;
  }

  /**
   * The kernels module for {@code device}, compiled on first use and shared by every model on the
   * device for the life of the process (a few kilobytes; its methods are pure).
   */
  public static PackedKernels on(Device device) {
    return SHARED.computeIfAbsent(device, PackedKernels::compile);
  }

  private static PackedKernels compile(Device device) {
    byte[] archive = TorchScriptArchive.of(CLASS, SOURCE);
    // never closed: the module lives as long as the process, like libtorch's own kernels
    NDManager owner = NDManager.newBaseManager(device, "PyTorch");
    try {
      PtSymbolBlock module =
          JniUtils.loadModule((PtNDManager) owner, new ByteArrayInputStream(archive), true, false);
      owner.attachInternal(UUID.randomUUID().toString(), module);
      return new PackedKernels(module, Device.Type.CPU.equals(device.getDeviceType()));
    } catch (IOException e) {
      owner.close();
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Whether {@code format} on this module's device is multiplied here; otherwise the weight stays a
   * plain DJL array ({@link DenseProjection}): float16 everywhere, float32 off the CPU.
   */
  public boolean packs(WeightFormat format) {
    return switch (format) {
      case FLOAT16 -> false;
      case FLOAT32 -> cpu;
      case BFLOAT16, INT8 -> true;
    };
  }

  /**
   * Packs a float32 weight (out, in) into {@code format}, owned by {@code owner}; the caller still
   * owns {@code weight}.
   *
   * @throws IllegalArgumentException {@code format} is not packed here (see {@link #packs}), or
   *     int8 with an input size that is not a multiple of 16
   */
  public Projection pack(NDArray weight, WeightFormat format, NDManager owner) {
    if (!packs(format)) {
      throw new IllegalArgumentException(format + " weights are not packed on this device");
    }
    long in = weight.getShape().get(1);
    if (format == WeightFormat.INT8 && in % INT8_K_MULTIPLE != 0) {
      // the AVX-512 kernel reads rows 16 values at a time with aligned loads and would fault
      throw new IllegalArgumentException(
          "int8 weights need input sizes divisible by "
              + INT8_K_MULTIPLE
              + "; this weight has "
              + in);
    }
    try (IValue w = IValue.from((PtNDArray) weight)) {
      return switch (format) {
        case FLOAT32 -> packOne("pack_onednn_f32", "linear_onednn_f32", w, owner);
        case BFLOAT16 ->
            cpu && onednnBf16()
                ? packOne("pack_onednn_bf16", "linear_onednn_bf16", w, owner)
                : packOne("pack_bf16", "linear_bf16", w, owner);
        case INT8 -> {
          IValue[] parts;
          try (IValue tuple = IValueUtils.runMethod(module, "pack_int8", w)) {
            parts = tuple.toIValueTuple();
          }
          for (IValue part : parts) {
            own(part, owner);
          }
          yield new Packed("linear_int8", parts);
        }
        case FLOAT16 -> throw new AssertionError(format);
      };
    }
  }

  private Projection packOne(String pack, String multiply, IValue w, NDManager owner) {
    return new Packed(multiply, own(IValueUtils.runMethod(module, pack, w), owner));
  }

  /**
   * oneDNN refuses bf16 products on CPUs without AVX-512 (BW/VL/DQ) or AVX-NE-CONVERT; those keep
   * {@code torch.linear} in bf16. Found out once, with a 16x16 product.
   */
  private boolean onednnBf16() {
    if (onednnBf16 == null) {
      try (NDManager probe = NDManager.newBaseManager(Device.cpu(), "PyTorch");
          IValue w = IValue.from((PtNDArray) probe.ones(new Shape(16, 16)));
          IValue packed = IValueUtils.runMethod(module, "pack_onednn_bf16", w);
          IValue x = IValue.from((PtNDArray) probe.ones(new Shape(1, 16)));
          IValue y = IValueUtils.runMethod(module, "linear_onednn_bf16", x, packed)) {
        onednnBf16 = true;
      } catch (EngineException e) {
        onednnBf16 = false;
      }
    }
    return onednnBf16;
  }

  private static IValue own(IValue value, NDManager owner) {
    owner.attachInternal(UUID.randomUUID().toString(), value);
    return value;
  }

  /** A packed weight and the kernel method that multiplies by it. */
  private final class Packed implements Projection {
    private final String method;
    private final IValue[] weights;

    Packed(String method, IValue... weights) {
      this.method = method;
      this.weights = weights;
    }

    @Override
    public NDArray apply(NDArray x) {
      IValue[] args = new IValue[weights.length + 1];
      System.arraycopy(weights, 0, args, 1, weights.length);
      try (IValue in = IValue.from((PtNDArray) x)) {
        args[0] = in;
        try (IValue y = IValueUtils.runMethod(module, method, args)) {
          return y.toTensor((PtNDManager) x.getManager());
        }
      }
    }
  }
}
