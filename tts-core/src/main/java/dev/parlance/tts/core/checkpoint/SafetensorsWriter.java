package dev.parlance.tts.core.checkpoint;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Writes safetensors files, streaming tensor data so multi-GiB checkpoints (e.g. full-size random
 * weights for benchmarks) never sit in memory whole. The file appears atomically on {@link
 * #write(Path)}.
 */
public final class SafetensorsWriter {

  /** Produces a tensor's little-endian bytes. */
  @FunctionalInterface
  public interface TensorData {
    void writeTo(OutputStream out) throws IOException;
  }

  private record Entry(String name, TensorType type, long[] shape, TensorData data) {}

  private final List<Entry> entries = new ArrayList<>();
  private final Map<String, String> metadata = new LinkedHashMap<>();

  /** Adds a {@code __metadata__} string (HF writes {@code format=pt}). */
  public SafetensorsWriter metadata(String key, String value) {
    metadata.put(key, value);
    return this;
  }

  /** Adds a tensor whose bytes {@code data} writes. */
  public SafetensorsWriter add(String name, TensorType type, long[] shape, TensorData data) {
    entries.add(new Entry(name, type, shape.clone(), data));
    return this;
  }

  /** Adds an F32 tensor. */
  public SafetensorsWriter addFloats(String name, long[] shape, float[] values) {
    return addBuffered(
        name, TensorType.F32, shape, values.length, b -> b.asFloatBuffer().put(values));
  }

  /** Adds an F16 tensor, rounding each value to half precision. */
  public SafetensorsWriter addHalfs(String name, long[] shape, float[] values) {
    return addBuffered(
        name,
        TensorType.F16,
        shape,
        values.length,
        b -> {
          for (float v : values) {
            b.putShort(HalfFloats.floatToHalf(v));
          }
        });
  }

  /** Adds an I64 tensor. */
  public SafetensorsWriter addLongs(String name, long[] shape, long[] values) {
    return addBuffered(
        name, TensorType.I64, shape, values.length, b -> b.asLongBuffer().put(values));
  }

  /** A tensor of {@code count} elements that {@code fill} puts into a little-endian buffer. */
  private SafetensorsWriter addBuffered(
      String name, TensorType type, long[] shape, int count, Consumer<ByteBuffer> fill) {
    return add(
        name,
        type,
        shape,
        out -> {
          ByteBuffer b = ByteBuffer.allocate(count * type.bytes()).order(ByteOrder.LITTLE_ENDIAN);
          fill.accept(b);
          out.write(b.array());
        });
  }

  /** Writes the file: to a temporary sibling first, then renamed into place. */
  public void write(Path target) throws IOException {
    JsonObject header = new JsonObject();
    if (!metadata.isEmpty()) {
      JsonObject meta = new JsonObject();
      metadata.forEach(meta::addProperty);
      header.add("__metadata__", meta);
    }
    long offset = 0;
    long[] sizes = new long[entries.size()];
    for (int i = 0; i < entries.size(); i++) {
      Entry e = entries.get(i);
      long n = 1;
      JsonArray shape = new JsonArray();
      for (long d : e.shape) {
        n = Math.multiplyExact(n, d);
        shape.add(d);
      }
      sizes[i] = n * e.type.bytes();
      JsonObject t = new JsonObject();
      t.addProperty("dtype", e.type.name());
      t.add("shape", shape);
      JsonArray offsets = new JsonArray();
      offsets.add(offset);
      offsets.add(offset + sizes[i]);
      t.add("data_offsets", offsets);
      header.add(e.name, t);
      offset += sizes[i];
    }
    byte[] json = new Gson().toJson(header).getBytes(StandardCharsets.UTF_8);
    int padding = (8 - json.length % 8) % 8; // keep the data section 8-byte aligned, as HF does
    Path tmp = target.resolveSibling(target.getFileName() + ".tmp");
    try (OutputStream out = new BufferedOutputStream(Files.newOutputStream(tmp), 1 << 20)) {
      ByteBuffer length = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      length.putLong(json.length + padding);
      out.write(length.array());
      out.write(json);
      for (int i = 0; i < padding; i++) {
        out.write(' ');
      }
      for (int i = 0; i < entries.size(); i++) {
        CountingOutputStream counting = new CountingOutputStream(out);
        entries.get(i).data.writeTo(counting);
        if (counting.count != sizes[i]) {
          throw new IOException(
              "tensor '"
                  + entries.get(i).name
                  + "' wrote "
                  + counting.count
                  + " bytes, its shape needs "
                  + sizes[i]);
        }
      }
    } catch (IOException | RuntimeException e) {
      Files.deleteIfExists(tmp);
      throw e;
    }
    Files.move(tmp, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static final class CountingOutputStream extends OutputStream {
    private final OutputStream out;
    private long count;

    CountingOutputStream(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
    }
  }
}
