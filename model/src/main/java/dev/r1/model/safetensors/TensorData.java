package dev.r1.model.safetensors;

import java.util.Arrays;
import java.util.Objects;

/**
 * A float tensor to write: row-major data and its shape. The product of the shape must equal the
 * data length (an empty shape is a scalar with one element).
 *
 * @param data row-major values (not copied)
 * @param shape dimensions (copied)
 */
public record TensorData(float[] data, long[] shape) {

  /** Checks that the shape matches the data length. */
  public TensorData {
    Objects.requireNonNull(data, "data");
    Objects.requireNonNull(shape, "shape");
    shape = shape.clone();
    long n = 1;
    for (long d : shape) {
      if (d < 0) {
        throw new IllegalArgumentException("negative dimension in shape " + Arrays.toString(shape));
      }
      n = Math.multiplyExact(n, d);
    }
    if (n != data.length) {
      throw new IllegalArgumentException(
          "shape "
              + Arrays.toString(shape)
              + " has "
              + n
              + " elements but data has "
              + data.length);
    }
  }

  /** Convenience factory: {@code TensorData.of(values, 2, 3)}. */
  public static TensorData of(float[] data, long... shape) {
    return new TensorData(data, shape);
  }

  @Override
  public long[] shape() {
    return shape.clone();
  }

  @Override
  public boolean equals(Object o) {
    return o instanceof TensorData t
        && Arrays.equals(data, t.data)
        && Arrays.equals(shape, t.shape);
  }

  @Override
  public int hashCode() {
    return 31 * Arrays.hashCode(data) + Arrays.hashCode(shape);
  }

  @Override
  public String toString() {
    return "TensorData" + Arrays.toString(shape);
  }
}
