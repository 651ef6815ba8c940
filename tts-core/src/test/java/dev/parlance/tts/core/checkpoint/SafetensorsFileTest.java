package dev.parlance.tts.core.checkpoint;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SafetensorsFileTest {

  @TempDir Path dir;

  private Path writeSample() throws IOException {
    Path file = dir.resolve("sample.safetensors");
    new SafetensorsWriter()
        .metadata("format", "pt")
        .addFloats("a.weight", new long[] {2, 3}, new float[] {1, 2, 3, 4, 5, -6.5f})
        .addHalfs("b.half", new long[] {4}, new float[] {0.5f, -2f, 65504f, 1e-7f})
        .add(
            "c.bf16",
            TensorType.BF16,
            new long[] {2},
            out -> {
              ByteBuffer b = ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN);
              b.putShort((short) (Float.floatToIntBits(3.0f) >>> 16));
              b.putShort((short) (Float.floatToIntBits(-0.15625f) >>> 16));
              out.write(b.array());
            })
        .addLongs("d.ids", new long[] {3}, new long[] {7, -1, Long.MAX_VALUE})
        .addFloats("e.empty", new long[] {0, 4}, new float[0])
        .write(file);
    return file;
  }

  @Test
  void roundTripsEveryTypeThroughNdArrays() throws IOException {
    Path file = writeSample();
    try (SafetensorsFile f = SafetensorsFile.open(file);
        NDManager m = NDManager.newBaseManager("PyTorch")) {
      assertEquals(Map.of("format", "pt"), f.metadata());
      assertEquals(
          Arrays.asList("a.weight", "b.half", "c.bf16", "d.ids", "e.empty"),
          f.names().stream().toList());
      NDArray a = f.load("a.weight", m);
      assertEquals(new Shape(2, 3), a.getShape());
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, -6.5f}, a.toFloatArray());
      NDArray h = f.load("b.half", m);
      assertEquals(DataType.FLOAT16, h.getDataType());
      float[] halfs = h.toType(DataType.FLOAT32, false).toFloatArray();
      assertEquals(0.5f, halfs[0]);
      assertEquals(-2f, halfs[1]);
      assertEquals(65504f, halfs[2]);
      assertEquals(1.1920929e-7f, halfs[3], 1e-12); // nearest half subnormal
      assertArrayEquals(halfs, f.readFloats("b.half"));
      NDArray bf = f.load("c.bf16", m);
      assertEquals(DataType.FLOAT32, bf.getDataType(), "bf16 is widened on the host");
      assertArrayEquals(new float[] {3.0f, -0.15625f}, bf.toFloatArray());
      assertArrayEquals(new long[] {7, -1, Long.MAX_VALUE}, f.load("d.ids", m).toLongArray());
      assertEquals(new Shape(0, 4), f.load("e.empty", m).getShape());
    }
  }

  @Test
  void loadedArraysOutliveTheFile() throws IOException {
    Path file = writeSample();
    try (NDManager m = NDManager.newBaseManager("PyTorch")) {
      NDArray a;
      try (SafetensorsFile f = SafetensorsFile.open(file)) {
        a = f.load("a.weight", m);
      }
      Files.write(file, new byte[16]); // overwrite the bytes the mapping pointed at
      System.gc();
      assertArrayEquals(new float[] {1, 2, 3, 4, 5, -6.5f}, a.toFloatArray());
    }
  }

  @Test
  void readsTheReferenceFixtureFiles() {
    Path fixtures =
        Path.of(System.getProperty("tts.fixtures.dir", "../../shared/fixtures/parler-tiny"));
    try (TensorSource weights = TensorSource.open(fixtures.resolve("tiny-mini-v1-arch"));
        SafetensorsFile golden =
            SafetensorsFile.open(fixtures.resolve("tiny-mini-v1-arch/golden.safetensors"))) {
      assertTrue(weights.contains("text_encoder.shared.weight"));
      assertEquals(TensorType.F32, weights.info("text_encoder.shared.weight").type());
      assertEquals(TensorType.I64, golden.info("b1.input_ids").type());
      assertEquals("pt", ((SafetensorsFile) weights).metadata().get("format"));
    }
  }

  @Test
  void missingTensorIsAClearError() throws IOException {
    try (SafetensorsFile f = SafetensorsFile.open(writeSample())) {
      CheckpointException e = assertThrows(CheckpointException.class, () -> f.info("nope"));
      assertTrue(e.getMessage().contains("'nope'"), e.getMessage());
      assertThrows(CheckpointException.class, () -> f.readFloats("d.ids"));
    }
  }

  @Test
  void truncatedFileIsRejectedOnOpen() throws IOException {
    Path file = writeSample();
    byte[] all = Files.readAllBytes(file);
    Path cut = dir.resolve("cut.safetensors");
    Files.write(cut, Arrays.copyOf(all, all.length - 3));
    CheckpointException e =
        assertThrows(CheckpointException.class, () -> SafetensorsFile.open(cut));
    assertTrue(e.getMessage().contains("outside the data section"), e.getMessage());
    Files.write(cut, Arrays.copyOf(all, 20));
    e = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(cut));
    assertTrue(e.getMessage().contains("truncated"), e.getMessage());
    Files.write(cut, Arrays.copyOf(all, 5));
    e = assertThrows(CheckpointException.class, () -> SafetensorsFile.open(cut));
    assertTrue(e.getMessage().contains("shorter than"), e.getMessage());
  }

  private Path withHeader(String json) throws IOException {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + 16).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Path p = dir.resolve("h" + json.hashCode() + ".safetensors");
    Files.write(p, b.array());
    return p;
  }

  @Test
  void corruptHeadersAreRejectedWithTheReason() throws IOException {
    String[][] cases = {
      {"{not json", "not valid JSON"},
      {"[1,2]", "not a JSON object"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,12]}}", "needs 8"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[8],\"data_offsets\":[0,32]}}", "outside the data"},
      {"{\"x\":{\"dtype\":\"Q4\",\"shape\":[1],\"data_offsets\":[0,1]}}", "unsupported dtype Q4"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[-1],\"data_offsets\":[0,4]}}", "negative"},
      {"{\"x\":{\"dtype\":\"F32\",\"shape\":[1]}}", "malformed"},
    };
    for (String[] c : cases) {
      Path p = withHeader(c[0]);
      CheckpointException e =
          assertThrows(CheckpointException.class, () -> SafetensorsFile.open(p));
      assertTrue(e.getMessage().contains(c[1]), c[0] + " -> " + e.getMessage());
      assertTrue(e.getMessage().contains(p.toString()), e.getMessage());
    }
    Path huge = dir.resolve("huge.safetensors");
    Files.write(
        huge, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
    assertTrue(
        assertThrows(CheckpointException.class, () -> SafetensorsFile.open(huge))
            .getMessage()
            .contains("not plausible"));
  }

  @Test
  void filesLargerThanTwoGibWork() throws IOException {
    // A sparse file: 2.5 GiB of zeros (no disk used), then one tensor at the very end.
    long gap = 5L << 29;
    String json =
        "{\"gap\":{\"dtype\":\"U8\",\"shape\":["
            + gap
            + "],\"data_offsets\":[0,"
            + gap
            + "]},\"tail\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":["
            + gap
            + ","
            + (gap + 8)
            + "]}}";
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    Path big = dir.resolve("big.safetensors");
    try (RandomAccessFile raf = new RandomAccessFile(big.toFile(), "rw")) {
      ByteBuffer head = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putLong(h.length);
      raf.write(head.array());
      raf.write(h);
      raf.seek(8 + h.length + gap);
      ByteBuffer tail =
          ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN).putFloat(1.5f).putFloat(-2f);
      raf.write(tail.array());
    }
    try (SafetensorsFile f = SafetensorsFile.open(big);
        NDManager m = NDManager.newBaseManager("PyTorch")) {
      assertArrayEquals(new float[] {1.5f, -2f}, f.load("tail", m).toFloatArray());
      CheckpointException e = assertThrows(CheckpointException.class, () -> f.map("gap"));
      assertTrue(e.getMessage().contains("2 GiB"), e.getMessage());
    }
  }

  @Test
  void shardedIndexResolvesEachTensorToItsShard() throws IOException {
    new SafetensorsWriter()
        .addFloats("x", new long[] {1}, new float[] {1})
        .write(dir.resolve("m-1.safetensors"));
    new SafetensorsWriter()
        .addFloats("y", new long[] {1}, new float[] {2})
        .write(dir.resolve("m-2.safetensors"));
    Files.writeString(
        dir.resolve(TensorSource.INDEX_FILE),
        "{\"metadata\":{\"total_size\":8},\"weight_map\":{\"x\":\"m-1.safetensors\",\"y\":\"m-2.safetensors\"}}");
    try (TensorSource s = TensorSource.open(dir);
        NDManager m = NDManager.newBaseManager("PyTorch")) {
      assertTrue(s instanceof ShardedSafetensors);
      assertEquals(2f, s.load("y", m).getFloat());
      assertArrayEquals(new float[] {1}, s.readFloats("x"));
    }
    Files.writeString(
        dir.resolve(TensorSource.INDEX_FILE), "{\"weight_map\":{\"x\":\"m-3.safetensors\"}}");
    assertTrue(
        assertThrows(CheckpointException.class, () -> TensorSource.open(dir))
            .getMessage()
            .contains("does not exist"));
    Files.writeString(
        dir.resolve(TensorSource.INDEX_FILE), "{\"weight_map\":{\"y\":\"m-1.safetensors\"}}");
    assertTrue(
        assertThrows(CheckpointException.class, () -> TensorSource.open(dir))
            .getMessage()
            .contains("lacks it"));
  }

  @Test
  void emptyDirectoryNamesTheExpectedFiles() {
    CheckpointException e = assertThrows(CheckpointException.class, () -> TensorSource.open(dir));
    assertTrue(e.getMessage().contains("model.safetensors"), e.getMessage());
  }

  @Test
  void halfFloatConversionRoundTrips() {
    for (float v : new float[] {0f, -0f, 1f, -1.5f, 65504f, 6.1035156e-5f, 5.9604645e-8f}) {
      assertEquals(v, HalfFloats.halfToFloat(HalfFloats.floatToHalf(v)), 0f, "value " + v);
    }
    assertEquals(Float.POSITIVE_INFINITY, HalfFloats.halfToFloat(HalfFloats.floatToHalf(1e6f)));
    assertTrue(Float.isNaN(HalfFloats.halfToFloat(HalfFloats.floatToHalf(Float.NaN))));
  }
}
