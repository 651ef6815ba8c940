package dev.parlance.tts.core.kernel;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.engine.PtSymbolBlock;
import ai.djl.pytorch.jni.IValue;
import ai.djl.pytorch.jni.IValueUtils;
import ai.djl.pytorch.jni.JniUtils;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.UUID;

/**
 * bfloat16 and int8 weight products through a TorchScript module compiled at load time.
 *
 * <p>DJL's JNI maps only float32/float64/float16/int/bool dtypes and aborts the process on any
 * other (bfloat16 included), so packed weights never become DJL arrays: they live as TorchScript
 * values ({@link IValue}) that only this module's methods read. Activations cross the boundary as
 * float32 arrays. On a CPU with AVX-512 BF16 (Zen 4, Sapphire Rapids) both paths run in oneDNN /
 * PyTorch's vectorised kernels and read half (bf16) or a quarter (int8) of float32's bytes.
 */
public final class PackedKernels {
  private static final String CLASS = "ParlanceKernels";
  // c10::ScalarType numbers, as serialized TorchScript writes dtypes
  private static final int BF16 = 15;
  private static final int F32 = 6;
  private static final int I8 = 1;
  private static final int INT8_K_MULTIPLE = 16;

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
  private final NDManager owner;

  private PackedKernels(PtSymbolBlock module, NDManager owner) {
    this.module = module;
    this.owner = owner;
  }

  /**
   * Compiles the kernels module for {@code owner}'s device. Packed weights made by it are closed
   * with {@code owner}.
   */
  public static PackedKernels load(NDManager owner) {
    byte[] archive = TorchScriptArchive.of(CLASS, SOURCE);
    try {
      PtSymbolBlock module =
          JniUtils.loadModule((PtNDManager) owner, new ByteArrayInputStream(archive), true, false);
      owner.attachInternal(UUID.randomUUID().toString(), module);
      return new PackedKernels(module, owner);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * Packs a float32 weight (out, in) into {@code format}; the caller still owns {@code weight}.
   *
   * @throws IllegalArgumentException {@code format} is not a packed format, or int8 with an input
   *     size that is not a multiple of 16
   */
  public Projection pack(NDArray weight, WeightFormat format) {
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
        case BFLOAT16 ->
            new Packed("linear_bf16", own(IValueUtils.runMethod(module, "pack_bf16", w)));
        case INT8 -> {
          IValue[] parts;
          try (IValue tuple = IValueUtils.runMethod(module, "pack_int8", w)) {
            parts = tuple.toIValueTuple();
          }
          for (IValue part : parts) {
            own(part);
          }
          yield new Packed("linear_int8", parts);
        }
        default -> throw new IllegalArgumentException(format + " is not a packed weight format");
      };
    }
  }

  private IValue own(IValue value) {
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
