package dev.parlance.tts.core.device;

import ai.djl.Device;
import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/**
 * Compute dtypes of the three Parler components on a device. The {@code dtype} setting chooses the
 * decoder's precision; the T5 encoder and the DAC always run in float32 (flan-T5 activations
 * overflow fp16, and both run once per utterance so precision is cheap there).
 *
 * <ul>
 *   <li>{@code auto}: float32 on the CPU; on a GPU bfloat16 where supported (compute capability 8.0
 *       or newer), else float16.
 *   <li>{@code float32}, {@code float16}: as named, on any device.
 *   <li>{@code bfloat16}: GPUs with compute capability 8.0 or newer only. Rejected on the CPU,
 *       where bf16 arithmetic crashed the JVM in DJL's PyTorch engine.
 * </ul>
 *
 * @param decoder dtype of the Parler decoder weights, KV cache and activations
 * @param textEncoder dtype of the T5 encoder (float32)
 * @param audioDecoder dtype of the DAC decoder (float32)
 */
public record DtypePolicy(DataType decoder, DataType textEncoder, DataType audioDecoder) {

  /** Name of the setting, as the engine configuration calls it. */
  public static final String SETTING = "dtype";

  /** First compute capability (major * 10 + minor) with native bfloat16: Ampere. */
  static final int BF16_MIN_CAPABILITY = 80;

  /**
   * Resolves the dtype setting for a device chosen by {@link DeviceSelector}.
   *
   * @param setting {@code auto}, {@code float32}, {@code float16} or {@code bfloat16}; null or
   *     blank means {@code auto}
   * @throws IllegalArgumentException unknown value, or a dtype the device cannot run; the message
   *     names the setting
   */
  public static DtypePolicy resolve(String setting, Device device, GpuProbe probe) {
    String value = setting == null || setting.isBlank() ? "auto" : setting.trim();
    DataType decoder =
        switch (value.toLowerCase(Locale.ROOT)) {
          case "auto" -> autoDtype(device, probe);
          case "float32" -> DataType.FLOAT32;
          case "float16" -> DataType.FLOAT16;
          case "bfloat16" -> requireBf16(device, probe);
          default ->
              throw new IllegalArgumentException(
                  SETTING + ": expected auto, float32, float16 or bfloat16, got '" + value + "'");
        };
    return new DtypePolicy(decoder, DataType.FLOAT32, DataType.FLOAT32);
  }

  private static DataType autoDtype(Device device, GpuProbe probe) {
    if (!device.isGpu()) {
      return DataType.FLOAT32;
    }
    return probe.computeCapability(device.getDeviceId()) >= BF16_MIN_CAPABILITY
        ? DataType.BFLOAT16
        : DataType.FLOAT16;
  }

  private static DataType requireBf16(Device device, GpuProbe probe) {
    if (!device.isGpu()) {
      throw new IllegalArgumentException(
          SETTING
              + ": bfloat16 is not supported on the CPU (bf16 arithmetic crashes DJL's PyTorch CPU"
              + " engine); use float32 or float16");
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
    return DataType.BFLOAT16;
  }
}
