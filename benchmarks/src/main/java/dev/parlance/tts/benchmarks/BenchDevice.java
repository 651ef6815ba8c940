package dev.parlance.tts.benchmarks;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;
import dev.parlance.tts.core.kernel.WeightFormat;
import java.util.Locale;

/**
 * The device every benchmark runs on: system property {@value #PROPERTY} ({@code cpu}, {@code cuda}
 * or {@code cuda:N}; {@code --device} of {@link BenchMain} sets it in every fork).
 */
public final class BenchDevice {

  /** System property naming the device. */
  public static final String PROPERTY = "parlance.bench.device";

  private BenchDevice() {}

  /** The configured device; CPU when unset. */
  public static Device get() {
    String name = System.getProperty(PROPERTY, "cpu").trim().toLowerCase(Locale.ROOT);
    if (name.equals("cpu")) {
      return Device.cpu();
    }
    if (name.equals("cuda") || name.equals("gpu")) {
      return Device.gpu();
    }
    if (name.startsWith("cuda:")) {
      return Device.gpu(Integer.parseInt(name.substring(5)));
    }
    throw new IllegalArgumentException(PROPERTY + ": expected cpu, cuda or cuda:N, got " + name);
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
