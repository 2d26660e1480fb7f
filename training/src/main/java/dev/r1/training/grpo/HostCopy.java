package dev.r1.training.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.types.DataType;

/** Detached float64 copies of arrays on the host, for validation and statistics. */
final class HostCopy {

  private HostCopy() {}

  static double[] of(NDArray array) {
    try (NDArray detached = array.stopGradient()) {
      NDArray wide = detached.toType(DataType.FLOAT64, false);
      try {
        return wide.toDoubleArray();
      } finally {
        if (wide != detached) {
          wide.close();
        }
      }
    }
  }
}
