package dev.parlance.tts.benchmarks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.parlance.tts.core.device.DeviceSelector;
import dev.parlance.tts.core.device.GpuProbe;
import dev.parlance.tts.core.kernel.WeightFormat;
import java.util.Locale;

/**
 * The device every benchmark runs on: system property {@value #PROPERTY}, spelled as the engine's
 * {@code device} setting ({@code cpu}, {@code cuda}, {@code cuda:N} or {@code auto}; {@code
 * --device} of {@link BenchMain} sets it in every fork) and resolved by the engine's own {@link
 * DeviceSelector}, so asking for CUDA where libtorch has none fails with its message.
 */
public final class BenchDevice {

  /** System property naming the device. */
  public static final String PROPERTY = "parlance.bench.device";

  private BenchDevice() {}

  /** The configured device setting; {@code cpu} when unset. */
  public static String setting() {
    return System.getProperty(PROPERTY, "cpu");
  }

  /** The configured device. */
  public static Device get() {
    return resolve(setting());
  }

  /**
   * Resolves a device setting as the engine would.
   *
   * @throws IllegalArgumentException not a device setting
   * @throws dev.parlance.tts.spi.EngineUnavailableException CUDA asked for but not usable
   */
  public static Device resolve(String setting) {
    return DeviceSelector.select(setting, GpuProbe.djl());
  }

  /**
   * A DJL data type from its benchmark parameter name ({@code float32}, {@code float16}); DJL has
   * no bfloat16 arrays (its JNI aborts on them), so bfloat16 exists only as packed weights.
   */
  public static DataType dtype(String name) {
    return switch (name) {
      case "float32" -> DataType.FLOAT32;
      case "float16" -> DataType.FLOAT16;
      default ->
          throw new IllegalArgumentException("dtype: expected float32 or float16, got " + name);
    };
  }

  /**
   * A decoder weight format from its benchmark parameter name ({@code float32} ... {@code int8}).
   */
  public static WeightFormat weights(String name) {
    return WeightFormat.valueOf(name.toUpperCase(Locale.ROOT));
  }

  /**
   * Waits until {@code array} is computed. CPU ops are synchronous; CUDA ops are queued, so on a
   * GPU one element is read back (a device sync) before the clock stops.
   */
  public static void await(NDArray array) {
    if (array.getDevice().isGpu()) {
      try (NDArray flat = array.flatten();
          NDArray first = flat.get(0);
          NDArray value = first.toType(DataType.FLOAT32, false)) {
        value.toFloatArray();
      }
    }
  }
}
