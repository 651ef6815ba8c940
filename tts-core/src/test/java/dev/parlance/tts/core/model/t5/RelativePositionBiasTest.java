package dev.parlance.tts.core.model.t5;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import org.junit.jupiter.api.Test;

class RelativePositionBiasTest {

  /** f(n) for 32 buckets / max distance 128, from the table in the model spec §3. */
  private static int expectedMagnitudeBucket(int n) {
    if (n < 8) {
      return n;
    }
    int[][] ranges = {{11, 8}, {15, 9}, {22, 10}, {31, 11}, {45, 12}, {63, 13}, {90, 14}};
    for (int[] r : ranges) {
      if (n <= r[0]) {
        return r[1];
      }
    }
    return 15;
  }

  @Test
  void bucketsMatchTheSpecTableInBothDirections() {
    for (int n = 0; n <= 5000; n++) {
      int f = expectedMagnitudeBucket(n);
      assertEquals(f, RelativePositionBias.bucket(-n, 32, 128), "key " + n + " before the query");
      assertEquals(
          n == 0 ? 0 : 16 + f, RelativePositionBias.bucket(n, 32, 128), "key " + n + " after");
    }
  }

  @Test
  void biasLooksUpTheTablePerHead() {
    int heads = 2;
    float[] table = new float[32 * heads];
    for (int i = 0; i < table.length; i++) {
      table[i] = i; // bucket b, head h -> 2b + h
    }
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray bias = new RelativePositionBias(table, 32, 128, heads).forLength(3, m);
      assertEquals(new Shape(1, 2, 3, 3), bias.getShape());
      // head 1, query 2: keys 0 (r=-2 -> bucket 2), 1 (r=-1 -> 1), 2 (r=0 -> 0)
      assertArrayEquals(new float[] {5, 3, 1}, bias.get(0, 1, 2).toFloatArray());
      // head 0, query 0: keys r=0, 1, 2 -> buckets 0, 17, 18
      assertArrayEquals(new float[] {0, 34, 36}, bias.get(0, 0, 0).toFloatArray());
    }
  }
}
