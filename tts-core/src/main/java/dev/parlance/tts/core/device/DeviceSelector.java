package dev.parlance.tts.core.device;

import ai.djl.Device;
import dev.parlance.tts.spi.EngineUnavailableException;
import java.util.Locale;

/**
 * Turns the {@code device} setting into a DJL {@link Device}: {@code auto} (the first CUDA GPU if
 * one is usable, else the CPU), {@code cpu}, {@code cuda} (= {@code cuda:0}) or {@code cuda:N}.
 * Asking for CUDA where none is usable fails at startup; there is no silent CPU fallback.
 */
public final class DeviceSelector {

  /** Name of the setting, as the engine configuration calls it. */
  public static final String SETTING = "device";

  private DeviceSelector() {}

  /**
   * Resolves a device setting.
   *
   * @param setting {@code auto}, {@code cpu}, {@code cuda} or {@code cuda:N}; null or blank means
   *     {@code auto}
   * @throws IllegalArgumentException the value is none of these; the message names the setting
   * @throws EngineUnavailableException CUDA was asked for but the GPU is not usable
   */
  public static Device select(String setting, GpuProbe probe) {
    String value = setting == null || setting.isBlank() ? "auto" : setting.trim();
    String v = value.toLowerCase(Locale.ROOT);
    if (v.equals("auto")) {
      return probe.gpuCount() > 0 ? Device.gpu(0) : Device.cpu();
    }
    if (v.equals("cpu")) {
      return Device.cpu();
    }
    if (v.equals("cuda")) {
      return requireGpu(0, value, probe);
    }
    if (v.startsWith("cuda:")) {
      String index = v.substring("cuda:".length());
      if (!index.isEmpty() && index.chars().allMatch(c -> c >= '0' && c <= '9')) {
        try {
          return requireGpu(Integer.parseInt(index), value, probe);
        } catch (NumberFormatException e) {
          // too many digits: reported below
        }
      }
    }
    throw new IllegalArgumentException(
        SETTING + ": expected auto, cpu, cuda or cuda:N, got '" + value + "'");
  }

  /** The setting's spelling of a device: {@code cpu} or {@code cuda:N}. */
  public static String describe(Device device) {
    return device.isGpu() ? "cuda:" + device.getDeviceId() : "cpu";
  }

  private static Device requireGpu(int index, String value, GpuProbe probe) {
    int count = probe.gpuCount();
    if (count == 0) {
      throw new EngineUnavailableException(
          SETTING
              + "="
              + value
              + " asks for CUDA, but no GPU is usable: "
              + probe.unavailableReason());
    }
    if (index >= count) {
      throw new EngineUnavailableException(
          SETTING
              + "="
              + value
              + " asks for GPU "
              + index
              + ", but only "
              + count
              + " CUDA GPU(s) are usable (cuda:0"
              + (count > 1 ? "..cuda:" + (count - 1) : "")
              + ")");
    }
    return Device.gpu(index);
  }
}
