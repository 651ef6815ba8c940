package dev.parlance.tts.core.checkpoint;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * One {@code .safetensors} file, memory-mapped tensor by tensor.
 *
 * <p>Layout: 8-byte little-endian header length {@code N}, {@code N} bytes of JSON mapping each
 * tensor name to {@code {dtype, shape, data_offsets}} (plus optional {@code __metadata__}), then
 * the data section. Each tensor is mapped on its own, so files larger than 2 GiB work (one tensor
 * must stay under 2 GiB, which every Parler tensor does). The whole header is validated on open: a
 * truncated file, a malformed header or an offset outside the data section is a {@link
 * CheckpointException} naming the file, never a crash or silent garbage.
 */
public final class SafetensorsFile implements TensorSource {

  /** The format caps the header at 100 MB; anything larger is corrupt. */
  private static final long MAX_HEADER_BYTES = 100L * 1024 * 1024;

  private final Path path;
  private final FileChannel channel;
  private final long dataStart;
  private final Map<String, TensorInfo> tensors;
  private final Map<String, String> metadata;

  private SafetensorsFile(
      Path path,
      FileChannel channel,
      long dataStart,
      Map<String, TensorInfo> tensors,
      Map<String, String> metadata) {
    this.path = path;
    this.channel = channel;
    this.dataStart = dataStart;
    this.tensors = tensors;
    this.metadata = metadata;
  }

  /**
   * Opens and validates a file.
   *
   * @throws CheckpointException the file is missing, truncated or corrupt
   */
  public static SafetensorsFile open(Path path) {
    FileChannel channel;
    try {
      channel = FileChannel.open(path, StandardOpenOption.READ);
    } catch (IOException e) {
      throw new CheckpointException("cannot open " + path + ": " + e, e);
    }
    try {
      long size = channel.size();
      if (size < 8) {
        throw corrupt(path, "file is " + size + " bytes, shorter than the 8-byte header length");
      }
      ByteBuffer lengthBytes = ByteBuffer.allocate(8).order(ByteOrder.LITTLE_ENDIAN);
      readFully(channel, lengthBytes, 0);
      long headerLength = lengthBytes.getLong(0);
      if (headerLength <= 0 || headerLength > MAX_HEADER_BYTES) {
        throw corrupt(path, "header length " + headerLength + " is not plausible");
      }
      if (8 + headerLength > size) {
        throw corrupt(
            path,
            "truncated: header needs " + (8 + headerLength) + " bytes but the file has " + size);
      }
      ByteBuffer header = ByteBuffer.allocate((int) headerLength);
      readFully(channel, header, 8);
      String json = new String(header.array(), StandardCharsets.UTF_8);
      long dataStart = 8 + headerLength;
      Map<String, String> metadata = new LinkedHashMap<>();
      Map<String, TensorInfo> tensors = parseHeader(path, json, size - dataStart, metadata);
      return new SafetensorsFile(
          path,
          channel,
          dataStart,
          Collections.unmodifiableMap(tensors),
          Collections.unmodifiableMap(metadata));
    } catch (IOException | RuntimeException e) {
      closeQuietly(channel);
      if (e instanceof CheckpointException ce) {
        throw ce;
      }
      throw new CheckpointException("cannot read " + path + ": " + e, e);
    }
  }

  private static Map<String, TensorInfo> parseHeader(
      Path path, String json, long dataSize, Map<String, String> metadata) {
    JsonObject root;
    try {
      JsonElement parsed = JsonParser.parseString(json);
      if (!parsed.isJsonObject()) {
        throw corrupt(path, "header is not a JSON object");
      }
      root = parsed.getAsJsonObject();
    } catch (JsonParseException e) {
      throw corrupt(path, "header is not valid JSON (" + e.getMessage() + ")");
    }
    Map<String, TensorInfo> tensors = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> entry : root.entrySet()) {
      String name = entry.getKey();
      if (name.equals("__metadata__")) {
        if (entry.getValue().isJsonObject()) {
          entry.getValue().getAsJsonObject().entrySet().stream()
              .filter(m -> m.getValue().isJsonPrimitive())
              .forEach(m -> metadata.put(m.getKey(), m.getValue().getAsString()));
        }
        continue;
      }
      tensors.put(name, parseEntry(path, name, entry.getValue(), dataSize));
    }
    return tensors;
  }

  private static TensorInfo parseEntry(Path path, String name, JsonElement value, long dataSize) {
    try {
      JsonObject o = value.getAsJsonObject();
      String dtypeName = o.get("dtype").getAsString();
      TensorType type = TensorType.fromHeader(dtypeName);
      if (type == null) {
        throw corrupt(path, "tensor '" + name + "' has unsupported dtype " + dtypeName);
      }
      JsonArray shapeJson = o.getAsJsonArray("shape");
      long[] shape = new long[shapeJson.size()];
      for (int i = 0; i < shape.length; i++) {
        shape[i] = shapeJson.get(i).getAsLong();
        if (shape[i] < 0) {
          throw corrupt(path, "tensor '" + name + "' has a negative dimension");
        }
      }
      JsonArray offsets = o.getAsJsonArray("data_offsets");
      if (offsets.size() != 2) {
        throw corrupt(path, "tensor '" + name + "' data_offsets must be [begin, end]");
      }
      long begin = offsets.get(0).getAsLong();
      long end = offsets.get(1).getAsLong();
      TensorInfo info = new TensorInfo(name, type, shape, begin, end);
      if (begin < 0 || end < begin || end > dataSize) {
        throw corrupt(
            path,
            "tensor '"
                + name
                + "' data_offsets ["
                + begin
                + ", "
                + end
                + "] fall outside the data section of "
                + dataSize
                + " bytes (truncated file?)");
      }
      long expected = Math.multiplyExact(info.elementCount(), (long) type.bytes());
      if (info.byteSize() != expected) {
        throw corrupt(
            path,
            "tensor '"
                + name
                + "' spans "
                + info.byteSize()
                + " bytes but "
                + type
                + " "
                + java.util.Arrays.toString(shape)
                + " needs "
                + expected);
      }
      return info;
    } catch (IllegalStateException | NullPointerException | ClassCastException e) {
      throw corrupt(path, "tensor '" + name + "' has a malformed header entry (" + e + ")");
    }
  }

  /** The file this reads. */
  public Path path() {
    return path;
  }

  /** The header's {@code __metadata__} strings. */
  public Map<String, String> metadata() {
    return metadata;
  }

  /** Every tensor's header entry, in header order. */
  public Map<String, TensorInfo> tensors() {
    return tensors;
  }

  @Override
  public Set<String> names() {
    return tensors.keySet();
  }

  @Override
  public TensorInfo info(String name) {
    TensorInfo info = tensors.get(name);
    if (info == null) {
      throw new CheckpointException("tensor '" + name + "' is not in " + path);
    }
    return info;
  }

  /** The tensor's bytes, mapped read-only, little-endian. Valid until the file is closed. */
  public ByteBuffer map(String name) {
    TensorInfo info = info(name);
    if (info.byteSize() > Integer.MAX_VALUE) {
      throw new CheckpointException(
          "tensor '" + name + "' in " + path + " is larger than 2 GiB; not supported");
    }
    try {
      return channel
          .map(FileChannel.MapMode.READ_ONLY, dataStart + info.begin(), info.byteSize())
          .order(ByteOrder.LITTLE_ENDIAN);
    } catch (IOException e) {
      throw new CheckpointException("cannot map tensor '" + name + "' of " + path + ": " + e, e);
    }
  }

  @Override
  public NDArray load(String name, NDManager manager) {
    TensorInfo info = info(name);
    if (info.elementCount() == 0) {
      return manager.zeros(info.djlShape(), loadedType(info).djl());
    }
    if (info.type() == TensorType.BF16) {
      return manager.create(readFloats(name), info.djlShape());
    }
    // create() over a direct buffer aliases its memory: copy so the array outlives the mapping.
    try (NDArray mapped = manager.create(map(name), info.djlShape(), info.type().djl())) {
      return mapped.duplicate();
    }
  }

  private static TensorType loadedType(TensorInfo info) {
    return info.type() == TensorType.BF16 ? TensorType.F32 : info.type();
  }

  @Override
  public float[] readFloats(String name) {
    TensorInfo info = info(name);
    ByteBuffer bytes = map(name);
    int n = Math.toIntExact(info.elementCount());
    float[] out = new float[n];
    switch (info.type()) {
      case F32 -> bytes.asFloatBuffer().get(out);
      case F64 -> {
        for (int i = 0; i < n; i++) {
          out[i] = (float) bytes.getDouble(8 * i);
        }
      }
      case F16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = HalfFloats.halfToFloat(bytes.getShort(2 * i));
        }
      }
      case BF16 -> {
        for (int i = 0; i < n; i++) {
          out[i] = Float.intBitsToFloat((bytes.getShort(2 * i) & 0xffff) << 16);
        }
      }
      default ->
          throw new CheckpointException(
              "tensor '" + name + "' in " + path + " is " + info.type() + ", not a float type");
    }
    return out;
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }

  private static void readFully(FileChannel channel, ByteBuffer target, long position)
      throws IOException {
    long at = position;
    while (target.hasRemaining()) {
      int n = channel.read(target, at);
      if (n < 0) {
        throw new IOException("unexpected end of file at byte " + at);
      }
      at += n;
    }
  }

  private static CheckpointException corrupt(Path path, String what) {
    return new CheckpointException("corrupt safetensors file " + path + ": " + what);
  }

  private static void closeQuietly(FileChannel channel) {
    try {
      channel.close();
    } catch (IOException ignored) {
      // nothing useful to do: the file was only read
    }
  }
}
