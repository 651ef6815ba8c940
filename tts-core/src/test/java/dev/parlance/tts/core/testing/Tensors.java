package dev.parlance.tts.core.testing;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.fail;

/** Tolerance comparisons for golden tensors. */
public final class Tensors {
  private Tensors() {}

  /** fp32 tolerance from the fixture README: |a - e| <= atol + rtol * |e|. */
  public static final double ATOL = 1e-4;

  public static final double RTOL = 1e-4;

  /** sqrt(sum (a - e)^2 / sum e^2): the error of a reduced-precision result as one number. */
  public static double relativeRms(float[] expected, float[] actual) {
    assertEquals(expected.length, actual.length, "element count");
    double squaredError = 0;
    double squared = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = (double) expected[i] - actual[i];
      squaredError += e * e;
      squared += (double) expected[i] * expected[i];
    }
    return Math.sqrt(squaredError / squared);
  }

  /** Asserts every element is within {@link #ATOL}/{@link #RTOL}; reports the worst element. */
  public static void assertClose(String what, float[] expected, float[] actual) {
    assertClose(what, expected, actual, ATOL, RTOL);
  }

  /** Asserts every element is within {@code atol + rtol * |expected|}. */
  public static void assertClose(
      String what, float[] expected, float[] actual, double atol, double rtol) {
    assertEquals(expected.length, actual.length, what + ": element count");
    int worst = -1;
    double worstExcess = 0;
    int failures = 0;
    for (int i = 0; i < expected.length; i++) {
      double e = expected[i];
      double a = actual[i];
      boolean bothInf = Double.isInfinite(e) && e == a;
      double excess = Math.abs(a - e) - (atol + rtol * Math.abs(e));
      if (!bothInf && (excess > 0 || Double.isNaN(a) != Double.isNaN(e))) {
        failures++;
        if (worst < 0 || excess > worstExcess || Double.isNaN(excess)) {
          worst = i;
          worstExcess = excess;
        }
      }
    }
    if (failures > 0) {
      fail(
          String.format(
              "%s: %d of %d elements off; worst at [%d]: expected %s, got %s",
              what, failures, expected.length, worst, expected[worst], actual[worst]));
    }
  }

  /** Asserts ids are equal, naming the first difference. */
  public static void assertIdsEqual(String what, long[] expected, long[] actual) {
    assertArrayEquals(expected, actual, what);
  }
}
