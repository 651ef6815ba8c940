package dev.parlance.tts.core.device;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import dev.parlance.tts.core.kernel.WeightFormat;
import java.util.Locale;

/**
 * Precision of the three Parler components on a device. The {@code dtype} setting chooses how the
 * decoder's weight matrices are held, which is what a decoding step's time depends on (it reads
 * every weight once per step). The T5 encoder's projections are bfloat16 with the packed formats
 * (the model spec allows fp32 or bf16, never fp16: flan-T5 activations overflow it) and float32
 * otherwise; its activations are float32. The DAC always runs in float32.
 *
 * <ul>
 *   <li>{@code auto}: float32 on the CPU (the reference's numbers); on a GPU bfloat16 where
 *       supported (compute capability 8.0 or newer), else float16.
 *   <li>{@code float32}, {@code float16}: decoder weights and activations as named.
 *   <li>{@code bfloat16}: bfloat16 weights, float32 activations. Fast on CPUs with AVX-512 BF16.
 *   <li>{@code int8}: int8 decoder weights with per-row float32 scales, bfloat16 products; CPU
 *       only.
 * </ul>
 *
 * @param decoderWeights format of the Parler decoder's weight matrices
 * @param textEncoderWeights format of the T5 encoder's projections (float32 or bfloat16)
 * @param audioDecoder dtype of the DAC decoder (float32)
 */
public record DtypePolicy(
    WeightFormat decoderWeights, WeightFormat textEncoderWeights, DataType audioDecoder) {

  /** Name of the setting, as the engine configuration calls it. */
  public static final String SETTING = "dtype";

  /** First compute capability (major * 10 + minor) with native bfloat16: Ampere. */
  static final int BF16_MIN_CAPABILITY = 80;

  /** The decoder in {@code weights}; T5 bfloat16 when that is packed, else float32; DAC float32. */
  public static DtypePolicy of(WeightFormat weights) {
    WeightFormat t5 = weights.packed() ? WeightFormat.BFLOAT16 : WeightFormat.FLOAT32;
    return new DtypePolicy(weights, t5, DataType.FLOAT32);
  }

  /** dtype of the decoder's activations and KV cache. */
  public DataType decoder() {
    return decoderWeights.activations();
  }

  /**
   * Resolves the dtype setting for a device chosen by {@link DeviceSelector}.
   *
   * @param setting {@code auto}, {@code float32}, {@code float16}, {@code bfloat16} or {@code
   *     int8}; null or blank means {@code auto}
   * @throws IllegalArgumentException unknown value, or a format the device cannot run; the message
   *     names the setting
   */
  public static DtypePolicy resolve(String setting, Device device, GpuProbe probe) {
    String value = setting == null || setting.isBlank() ? "auto" : setting.trim();
    WeightFormat weights =
        switch (value.toLowerCase(Locale.ROOT)) {
          case "auto" -> autoFormat(device, probe);
          case "float32" -> WeightFormat.FLOAT32;
          case "float16" -> WeightFormat.FLOAT16;
          case "bfloat16" -> requireBf16(device, probe);
          case "int8" -> requireCpu(device);
          default ->
              throw new IllegalArgumentException(
                  SETTING
                      + ": expected auto, float32, float16, bfloat16 or int8, got '"
                      + value
                      + "'");
        };
    return of(weights);
  }

  private static WeightFormat autoFormat(Device device, GpuProbe probe) {
    if (!device.isGpu()) {
      return WeightFormat.FLOAT32;
    }
    return probe.computeCapability(device.getDeviceId()) >= BF16_MIN_CAPABILITY
        ? WeightFormat.BFLOAT16
        : WeightFormat.FLOAT16;
  }

  private static WeightFormat requireBf16(Device device, GpuProbe probe) {
    if (!device.isGpu()) {
      return WeightFormat.BFLOAT16;
    }
    int capability = probe.computeCapability(device.getDeviceId());
    if (capability >= 0 && capability < BF16_MIN_CAPABILITY) {
      throw new IllegalArgumentException(
          SETTING
              + ": bfloat16 needs a GPU with compute capability 8.0 or newer; "
              + DeviceSelector.describe(device)
              + " has "
              + capability / 10
              + "."
              + capability % 10
              + "; use float16 or float32");
    }
    return WeightFormat.BFLOAT16;
  }

  private static WeightFormat requireCpu(Device device) {
    if (device.isGpu()) {
      throw new IllegalArgumentException(
          SETTING
              + ": int8 runs on PyTorch's CPU int8 kernel only; on "
              + DeviceSelector.describe(device)
              + " use bfloat16 or float16");
    }
    return WeightFormat.INT8;
  }
}
