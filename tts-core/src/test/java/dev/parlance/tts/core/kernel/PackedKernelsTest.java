package dev.parlance.tts.core.kernel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.engine.PtNDManager;
import ai.djl.pytorch.jni.IValue;
import dev.parlance.tts.core.script.TorchScriptModule;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class PackedKernelsTest {

  /**
   * Error of one product relative to the output's scale: float32 only rounding order, bf16 keeps 8
   * significant bits of weights and activations (~2^-9 each), int8 7 bits of weights plus bf16
   * activations.
   */
  @ParameterizedTest
  @EnumSource(
      value = WeightFormat.class,
      names = {"FLOAT32", "BFLOAT16", "INT8"})
  void packedProductsMatchFloat32WithinTheirPrecision(WeightFormat format) {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(7);
      NDArray w = m.randomNormal(new Shape(96, 64));
      NDArray x = m.randomNormal(new Shape(3, 2, 64)); // (B, m, in): batched rows and positions
      Projection p = PackedKernels.on(m.getDevice()).pack(w, format, m);
      NDArray exact = new DenseProjection(w).apply(x);
      NDArray y = p.apply(x);

      assertEquals(new Shape(3, 2, 96), y.getShape());
      assertEquals(DataType.FLOAT32, y.getDataType());
      float scale = exact.abs().max().getFloat();
      float err = exact.sub(y).abs().max().getFloat() / scale;
      float bound =
          switch (format) {
            case FLOAT32 -> 1e-6f;
            case BFLOAT16 -> 0.01f;
            default -> 0.03f;
          };
      assertTrue(err < bound, format + " relative error " + err);
      if (format.packed()) {
        assertTrue(err > 0, "a reduced-precision product that is exact was not packed");
      }
    }
  }

  /** Continuous batching relies on it: a row's result is the same alone and among other rows. */
  @ParameterizedTest
  @EnumSource(
      value = WeightFormat.class,
      names = {"FLOAT32", "BFLOAT16"})
  void oneDnnRowsDoNotDependOnTheirNeighbours(WeightFormat format) {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(11);
      Projection p =
          PackedKernels.on(m.getDevice()).pack(m.randomNormal(new Shape(256, 128)), format, m);
      NDArray rows = m.randomNormal(new Shape(8, 1, 128));
      NDArray together = p.apply(rows);
      for (int r = 0; r < 8; r++) {
        NDArray alone = p.apply(rows.get(r + ":" + (r + 1)));
        assertTrue(alone.contentEquals(together.get(r + ":" + (r + 1))), format + " row " + r);
      }
    }
  }

  /** The kernel GPUs use for bf16, and CPUs whose oneDNN has no bf16 product. */
  @Test
  void bf16WithoutOneDnnRunsTorchLinear() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(5);
      PackedKernels plain = PackedKernels.compile(m.getDevice(), false);
      assertEquals(PackedKernels.Kernel.LINEAR_BFLOAT16, plain.kernel(WeightFormat.BFLOAT16));
      NDArray w = m.randomNormal(new Shape(96, 64));
      NDArray x = m.randomNormal(new Shape(3, 2, 64));
      NDArray exact = new DenseProjection(w).apply(x);
      NDArray y = plain.pack(w, WeightFormat.BFLOAT16, m).apply(x);
      float err = exact.sub(y).abs().max().getFloat() / exact.abs().max().getFloat();
      assertTrue(err > 0 && err < 0.01f, "relative error " + err);
    }
  }

  @Test
  void cpuKernelsByFormat() {
    PackedKernels cpu = PackedKernels.on(Device.cpu());
    assertEquals(PackedKernels.Kernel.ONEDNN_FLOAT32, cpu.kernel(WeightFormat.FLOAT32));
    assertEquals(PackedKernels.Kernel.DJL_DENSE, cpu.kernel(WeightFormat.FLOAT16));
    assertEquals(PackedKernels.Kernel.INT8_WEIGHT_ONLY, cpu.kernel(WeightFormat.INT8));
    assertFalse(cpu.packs(WeightFormat.FLOAT16));
  }

  @Test
  void int8RowScalesRecoverEachRowsRange() {
    try (NDManager m = NDManager.newBaseManager()) {
      // rows of very different magnitude: one shared scale would flush the small row to zero
      float[] w = new float[2 * 16];
      float[] x = new float[16];
      for (int i = 0; i < 16; i++) {
        w[i] = 1000f * (i - 8);
        w[16 + i] = 0.001f * (i - 8);
        x[i] = i == 15 ? 2 : 1;
      }
      NDArray weight = m.create(w, new Shape(2, 16));
      float[] y =
          PackedKernels.on(m.getDevice())
              .pack(weight, WeightFormat.INT8, m)
              .apply(m.create(x, new Shape(1, 16)))
              .toFloatArray();
      // exact: 1000 * (sum(i - 8) + 7) and 0.001 * the same; int8 rounding costs ~1% here
      assertEquals(-1000f, y[0], 1000f * 0.02f);
      assertEquals(-0.001f, y[1], 0.001f * 0.02f);
    }
  }

  /**
   * Scripts that multiply through {@code project(x, kernel, w)} (the decoder's pooled step) get
   * what {@link Projection#apply} gives, for every kernel: dense float32 and float16 included.
   */
  @Test
  void scriptedProjectMatchesApplyForEveryKernel() {
    try (NDManager m = NDManager.newBaseManager()) {
      m.getEngine().setRandomSeed(3);
      NDArray w = m.randomNormal(new Shape(96, 64));
      NDArray x = m.randomNormal(new Shape(3, 1, 64));
      PackedKernels cpu = PackedKernels.on(m.getDevice());
      List<Projection> projections =
          List.of(
              new DenseProjection(w),
              new DenseProjection(w.toType(DataType.FLOAT16, false)),
              cpu.pack(w, WeightFormat.FLOAT32, m),
              cpu.pack(w, WeightFormat.BFLOAT16, m),
              PackedKernels.compile(m.getDevice(), false).pack(w, WeightFormat.BFLOAT16, m),
              cpu.pack(w, WeightFormat.INT8, m));
      TorchScriptModule script =
          TorchScriptModule.compile(
              m.getDevice(), "ProjectProbe", PackedKernels.scriptMethods("ProjectProbe"));
      Set<PackedKernels.Kernel> seen = EnumSet.noneOf(PackedKernels.Kernel.class);
      for (Projection p : projections) {
        NDArray in = p.kernel() == PackedKernels.Kernel.DJL_DENSE ? x.toType(dtype(p), false) : x;
        try (IValue xs = IValue.from((PtNDArray) in);
            IValue kernel = IValue.from((long) p.kernel().ordinal());
            IValue tensors = p.tensors();
            IValue y = script.run("project", xs, kernel, tensors)) {
          NDArray scripted = y.toTensor((PtNDManager) m);
          assertTrue(scripted.contentEquals(p.apply(in)), p.kernel().toString());
        }
        seen.add(p.kernel());
      }
      assertEquals(EnumSet.allOf(PackedKernels.Kernel.class), seen);
    }
  }

  private static DataType dtype(Projection dense) {
    return ((DenseProjection) dense).weight().getDataType();
  }

  @Test
  void packRefusesWhatItCannotMultiply() {
    try (NDManager m = NDManager.newBaseManager()) {
      NDArray w = m.ones(new Shape(16, 32));
      PackedKernels kernels = PackedKernels.on(m.getDevice());
      assertThrows(IllegalArgumentException.class, () -> kernels.pack(w, WeightFormat.FLOAT16, m));
      IllegalArgumentException unaligned =
          assertThrows(
              IllegalArgumentException.class,
              () -> kernels.pack(m.ones(new Shape(16, 24)), WeightFormat.INT8, m));
      assertTrue(unaligned.getMessage().contains("divisible by 16"), unaligned.getMessage());
    }
  }
}
