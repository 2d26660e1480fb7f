package dev.r1.model.safetensors;

/** Element types of the safetensors format, spelled as in the header's {@code dtype} field. */
public enum Dtype {
  BOOL(1),
  U8(1),
  I8(1),
  F8_E4M3(1),
  F8_E5M2(1),
  I16(2),
  U16(2),
  F16(2),
  BF16(2),
  I32(4),
  U32(4),
  F32(4),
  I64(8),
  U64(8),
  F64(8);

  private final int byteSize;

  Dtype(int byteSize) {
    this.byteSize = byteSize;
  }

  /** Bytes per element. */
  public int byteSize() {
    return byteSize;
  }

  /** Whether {@link TensorStore#readFloat} and {@link TensorStore#readDouble} accept it. */
  public boolean isFloatingPoint() {
    return this == F16 || this == BF16 || this == F32 || this == F64;
  }

  /** Whether {@link TensorStore#readLong} accepts it (signed integers, U8 and BOOL). */
  public boolean isInteger() {
    return this == I64 || this == I32 || this == I16 || this == I8 || this == U8 || this == BOOL;
  }

  /**
   * Parses a header dtype name.
   *
   * @return the dtype, or {@code null} when the name is not a known dtype
   */
  static Dtype parseOrNull(String name) {
    for (Dtype d : values()) {
      if (d.name().equals(name)) {
        return d;
      }
    }
    return null;
  }
}
