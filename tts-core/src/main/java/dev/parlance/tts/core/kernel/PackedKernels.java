package dev.parlance.tts.core.kernel;

import ai.djl.Device;
import ai.djl.engine.EngineException;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import dev.parlance.tts.core.script.TorchScriptModule;
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

  /**
   * The kernels' TorchScript methods for a module class named {@code className}, so that other
   * scripts (the decoder's step) can call {@code self.project(x, kernel, w)} on any projection: w
   * is {@link Projection#tensors}, kernel its {@link Kernel}'s ordinal. self is annotated as
   * serialized modules are; every method is pure.
   */
  public static String scriptMethods(String className) {
    String self = "self: __torch__." + className;
    return String.join(
        "\n",
        "  def pack_bf16(" + self + ", w: Tensor) -> Tensor:",
        "    return torch.contiguous(torch.to(w, " + BF16 + "))",
        // w (out, in) -> int8 rows, a bf16 unit scale the kernel wants, and the fp32 row scales
        "  def pack_int8(" + self + ", w: Tensor) -> Tuple[Tensor, Tensor, Tensor]:",
        "    scale = torch.clamp(torch.div(torch.amax(torch.abs(w), [1]), 127.), 1e-30)",
        "    q = torch.clamp(torch.round(torch.div(w, torch.unsqueeze(scale, 1))), -127., 127.)",
        "    unit = torch.ones_like(scale, dtype=" + BF16 + ")",
        "    return (torch.contiguous(torch.to(q, " + I8 + ")), unit, scale)",
        "  def pack_onednn_f32(" + self + ", w: Tensor) -> Tensor:",
        "    return ops.mkldnn._reorder_linear_weight(torch.contiguous(w), "
            + ONEDNN_ROWS_HINT
            + ")",
        "  def pack_onednn_bf16(" + self + ", w: Tensor) -> Tensor:",
        "    return ops.mkldnn._reorder_linear_weight(torch.contiguous(torch.to(w, "
            + BF16
            + ")), "
            + ONEDNN_ROWS_HINT
            + ")",
        // the op flattens leading dimensions itself
        "  def linear_onednn_f32(" + self + ", x: Tensor, w: Tensor) -> Tensor:",
        "    return ops.mkldnn._linear_pointwise(x, w, " + NO_POST_OP + ")",
        "  def linear_onednn_bf16(" + self + ", x: Tensor, w: Tensor) -> Tensor:",
        "    y = ops.mkldnn._linear_pointwise(torch.to(x, " + BF16 + "), w, " + NO_POST_OP + ")",
        "    return torch.to(y, " + F32 + ")",
        "  def linear_bf16(" + self + ", x: Tensor, w: Tensor) -> Tensor:",
        "    return torch.to(torch.linear(torch.to(x, " + BF16 + "), w), " + F32 + ")",
        // the kernel takes 2-D bf16 input and returns bf16; the fp32 row scales come after it
        "  def linear_int8("
            + self
            + ", x: Tensor, q: Tensor, unit: Tensor, scale: Tensor) -> Tensor:",
        "    shape = torch.size(x)",
        "    flat = torch.reshape(torch.to(x, " + BF16 + "), [-1, shape[-1]])",
        "    y = torch.mul(torch.to(torch._weight_int8pack_mm(flat, q, unit), " + F32 + "), scale)",
        "    shape[-1] = torch.size(q, 0)",
        "    return torch.reshape(y, shape)",
        "  def project(" + self + ", x: Tensor, kernel: int, w: List[Tensor]) -> Tensor:",
        "    if kernel == " + Kernel.ONEDNN_FLOAT32.ordinal() + ":",
        "      y = self.linear_onednn_f32(x, w[0])",
        "    elif kernel == " + Kernel.ONEDNN_BFLOAT16.ordinal() + ":",
        "      y = self.linear_onednn_bf16(x, w[0])",
        "    elif kernel == " + Kernel.LINEAR_BFLOAT16.ordinal() + ":",
        "      y = self.linear_bf16(x, w[0])",
        "    elif kernel == " + Kernel.INT8_WEIGHT_ONLY.ordinal() + ":",
        "      y = self.linear_int8(x, w[0], w[1], w[2])",
        "    else:",
        "      y = torch.linear(x, w[0])",
        "    return y",
        "");
  }

  /** What multiplies a weight format on a device. */
  public enum Kernel {
    /** A plain DJL array and DJL's {@code linear} (cuBLAS on GPUs); not packed here. */
    DJL_DENSE,
    /** oneDNN's blocked layout, {@code mkldnn::_linear_pointwise} in float32 (CPU). */
    ONEDNN_FLOAT32,
    /** The same in bfloat16 (CPUs with AVX-512 BW/VL/DQ or AVX-NE-CONVERT). */
    ONEDNN_BFLOAT16,
    /** {@code torch.linear} in bfloat16: GPUs, and CPUs where oneDNN has no bf16 product. */
    LINEAR_BFLOAT16,
    /** PyTorch's weight-only {@code _weight_int8pack_mm} with fp32 row scales (CPU). */
    INT8_WEIGHT_ONLY
  }

  private final TorchScriptModule module;
  private final boolean cpu;
  private final boolean onednnBf16;

  private PackedKernels(TorchScriptModule module, boolean cpu, boolean onednnBf16) {
    this.module = module;
    this.cpu = cpu;
    this.onednnBf16 = onednnBf16;
  }

  /**
   * The kernels module for {@code device}, compiled on first use and shared by every model on the
   * device for the life of the process (a few kilobytes; its methods are pure).
   */
  public static PackedKernels on(Device device) {
    return SHARED.computeIfAbsent(device, d -> compile(d, true));
  }

  /**
   * @param tryOneDnnBf16 whether bf16 may use oneDNN where the CPU supports it; tests turn it off
   *     to run the {@code torch.linear} bf16 path GPUs take
   */
  static PackedKernels compile(Device device, boolean tryOneDnnBf16) {
    TorchScriptModule module = TorchScriptModule.compile(device, CLASS, scriptMethods(CLASS));
    boolean cpu = Device.Type.CPU.equals(device.getDeviceType());
    return new PackedKernels(module, cpu, cpu && tryOneDnnBf16 && onednnBf16(module));
  }

  /**
   * oneDNN refuses bf16 products on CPUs without AVX-512 (BW/VL/DQ) or AVX-NE-CONVERT; found out
   * once, with a 16x16 product.
   */
  private static boolean onednnBf16(TorchScriptModule module) {
    try (NDManager probe = module.manager().newSubManager();
        IValue w = IValue.from((PtNDArray) probe.ones(new Shape(16, 16)));
        IValue packed = module.run("pack_onednn_bf16", w);
        IValue x = IValue.from((PtNDArray) probe.ones(new Shape(1, 16)));
        IValue y = module.run("linear_onednn_bf16", x, packed)) {
      return true;
    } catch (EngineException e) {
      return false;
    }
  }

  /** The kernel that multiplies {@code format} on this module's device. */
  public Kernel kernel(WeightFormat format) {
    return switch (format) {
      case FLOAT16 -> Kernel.DJL_DENSE;
      case FLOAT32 -> cpu ? Kernel.ONEDNN_FLOAT32 : Kernel.DJL_DENSE;
      case BFLOAT16 -> onednnBf16 ? Kernel.ONEDNN_BFLOAT16 : Kernel.LINEAR_BFLOAT16;
      case INT8 -> Kernel.INT8_WEIGHT_ONLY;
    };
  }

  /**
   * Whether {@code format} on this module's device is multiplied here; otherwise the weight stays a
   * plain DJL array ({@link DenseProjection}): float16 everywhere, float32 off the CPU.
   */
  public boolean packs(WeightFormat format) {
    return kernel(format) != Kernel.DJL_DENSE;
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
      return switch (kernel(format)) {
        case ONEDNN_FLOAT32 ->
            packOne(Kernel.ONEDNN_FLOAT32, "pack_onednn_f32", "linear_onednn_f32", w, owner);
        case ONEDNN_BFLOAT16 ->
            packOne(Kernel.ONEDNN_BFLOAT16, "pack_onednn_bf16", "linear_onednn_bf16", w, owner);
        case LINEAR_BFLOAT16 ->
            packOne(Kernel.LINEAR_BFLOAT16, "pack_bf16", "linear_bf16", w, owner);
        case INT8_WEIGHT_ONLY -> {
          IValue[] parts;
          try (IValue tuple = module.run("pack_int8", w)) {
            parts = tuple.toIValueTuple();
          }
          for (IValue part : parts) {
            own(part, owner);
          }
          yield new Packed(Kernel.INT8_WEIGHT_ONLY, "linear_int8", parts);
        }
        case DJL_DENSE -> throw new AssertionError(format);
      };
    }
  }

  private Projection packOne(
      Kernel kernel, String pack, String multiply, IValue w, NDManager owner) {
    return new Packed(kernel, multiply, own(module.run(pack, w), owner));
  }

  private static IValue own(IValue value, NDManager owner) {
    owner.attachInternal(UUID.randomUUID().toString(), value);
    return value;
  }

  /** A packed weight and the kernel method that multiplies by it. */
  private final class Packed implements Projection {
    private final Kernel kernel;
    private final String method;
    private final IValue[] weights;

    Packed(Kernel kernel, String method, IValue... weights) {
      this.kernel = kernel;
      this.method = method;
      this.weights = weights;
    }

    @Override
    public Kernel kernel() {
      return kernel;
    }

    @Override
    public IValue tensors() {
      return IValue.listFrom(weights);
    }

    @Override
    public NDArray apply(NDArray x) {
      IValue[] args = new IValue[weights.length + 1];
      System.arraycopy(weights, 0, args, 1, weights.length);
      try (IValue in = IValue.from((PtNDArray) x)) {
        args[0] = in;
        try (IValue y = module.run(method, args)) {
          return y.toTensor((PtNDManager) x.getManager());
        }
      }
    }
  }
}
