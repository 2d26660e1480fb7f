package dev.r1.model.safetensors;

import java.nio.file.Path;
import java.util.Arrays;

/**
 * Where one tensor lies: its dtype and shape, the file holding it, and its byte range in that file.
 *
 * @param name tensor name, e.g. {@code model.layers.0.mlp.up_proj.weight}
 * @param dtype element type
 * @param shape dimensions (empty for a scalar); the array is copied on the way in and out
 * @param file the safetensors file holding the data
 * @param offset absolute byte offset of the first element in {@code file}
 * @param byteLength number of data bytes ({@code numel * dtype.byteSize()})
 */
public record TensorInfo(
    String name, Dtype dtype, long[] shape, Path file, long offset, long byteLength) {

  /** Copies the shape. */
  public TensorInfo {
    shape = shape.clone();
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  /** Number of elements (1 for a scalar). */
  public long numel() {
    return byteLength / dtype.byteSize();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorInfo t
        && name.equals(t.name)
        && dtype == t.dtype
        && Arrays.equals(shape, t.shape)
        && file.equals(t.file)
        && offset == t.offset
        && byteLength == t.byteLength;
  }

  @Override
  public int hashCode() {
    return 31 * name.hashCode() + Long.hashCode(offset);
  }

  @Override
  public String toString() {
    return name
        + " "
        + dtype
        + Arrays.toString(shape)
        + " @"
        + offset
        + "+"
        + byteLength
        + " in "
        + file;
  }
}
