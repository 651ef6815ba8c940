package dev.parlance.tts.core.model.dac;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import dev.parlance.tts.core.checkpoint.SafetensorsFile;
import dev.parlance.tts.core.testing.Fixtures;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * One DAC call recorded in a fixture's goldens: {@code dac.codes} (1, K, T) -> {@code dac.audio},
 * and every {@code gen_*.dac_call{i}.codes} (1, n, K, T) -> {@code .audio} (n, 1, T*hop).
 *
 * @param name golden tensor name without {@code .codes}
 * @param codes ids, row-major (batch, K, frames)
 * @param batch rows decoded together
 * @param codebooks K
 * @param frames T
 * @param audio expected samples, row-major (batch, frames * hop)
 */
record DacGoldenCase(
    String name, long[] codes, int batch, int codebooks, int frames, float[] audio) {

  static List<DacGoldenCase> all(Path checkpoint) {
    List<DacGoldenCase> cases = new ArrayList<>();
    try (SafetensorsFile golden = Fixtures.goldenTensors(checkpoint);
        NDManager manager = NDManager.newBaseManager("PyTorch")) {
      for (String name : golden.names()) {
        if (!name.endsWith(".codes") || !(name.equals("dac.codes") || name.contains(".dac_call"))) {
          continue;
        }
        String base = name.substring(0, name.length() - ".codes".length());
        long[] shape = golden.info(name).shape();
        int frames = (int) shape[shape.length - 1];
        int codebooks = (int) shape[shape.length - 2];
        int batch = shape.length == 4 ? (int) shape[1] : (int) shape[0];
        long[] codes = golden.load(name, manager).toLongArray();
        cases.add(
            new DacGoldenCase(
                base, codes, batch, codebooks, frames, golden.readFloats(base + ".audio")));
      }
    }
    return cases;
  }

  /** The codes as a (batch, K, T) array. */
  NDArray codesArray(NDManager manager) {
    return manager.create(codes, new Shape(batch, codebooks, frames));
  }

  /** Row {@code b} as {@code [k][t]}. */
  long[][] row(int b) {
    long[][] out = new long[codebooks][frames];
    for (int k = 0; k < codebooks; k++) {
      System.arraycopy(codes, (b * codebooks + k) * frames, out[k], 0, frames);
    }
    return out;
  }

  @Override
  public String toString() {
    return name;
  }
}
