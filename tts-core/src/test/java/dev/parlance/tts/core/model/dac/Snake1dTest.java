package dev.parlance.tts.core.model.dac;

import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.parlance.tts.core.checkpoint.SafetensorsWriter;
import dev.parlance.tts.core.checkpoint.TensorSource;
import java.io.IOException;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Snake1dTest {
  @TempDir Path tmp;

  @Test
  void matchesTheSpecCheckValuePerChannel() throws IOException {
    Path file = tmp.resolve("snake.safetensors");
    new SafetensorsWriter()
        .addFloats("alpha", new long[] {1, 2, 1}, new float[] {0.5f, 2f})
        .write(file);
    try (TensorSource source = TensorSource.open(file);
        NDManager manager = NDManager.newBaseManager("PyTorch")) {
      DacWeights weights = new DacWeights(source, DacLayout.FOLDED, manager, DataType.FLOAT32);
      Snake1d snake = Snake1d.load(weights, "alpha", 2);
      float[] y =
          snake
              .forward(manager.create(new float[] {1f, -3f, 1f, -3f}, new Shape(1, 2, 2)))
              .toFloatArray();
      assertEquals(1.4596977f, y[0], 1e-6f); // alpha 0.5, x 1 (spec §7)
      assertEquals(-3 + Math.pow(Math.sin(-1.5), 2) / 0.5, y[1], 1e-6);
      assertEquals(1 + Math.pow(Math.sin(2), 2) / 2, y[2], 1e-6);
      assertEquals(-3 + Math.pow(Math.sin(-6), 2) / 2, y[3], 1e-6);
    }
  }
}
