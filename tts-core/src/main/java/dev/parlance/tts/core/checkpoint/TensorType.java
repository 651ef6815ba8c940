package dev.parlance.tts.core.checkpoint;

import ai.djl.ndarray.types.DataType;
import java.util.Locale;

/** Element types a safetensors header may declare, with their width and DJL counterpart. */
public enum TensorType {
  F64(8, DataType.FLOAT64),
  F32(4, DataType.FLOAT32),
  F16(2, DataType.FLOAT16),
  BF16(2, DataType.BFLOAT16),
  I64(8, DataType.INT64),
  I32(4, DataType.INT32),
  I16(2, DataType.INT16),
  I8(1, DataType.INT8),
  U8(1, DataType.UINT8),
  BOOL(1, DataType.BOOLEAN);

  private final int bytes;
  private final DataType djl;

  TensorType(int bytes, DataType djl) {
    this.bytes = bytes;
    this.djl = djl;
  }

  /** Bytes per element. */
  public int bytes() {
    return bytes;
  }

  /** The DJL data type with the same bit layout. */
  public DataType djl() {
    return djl;
  }

  /** The type a header names, e.g. {@code "F32"}; null when unknown. */
  static TensorType fromHeader(String name) {
    try {
      return valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      return null;
    }
  }
}
