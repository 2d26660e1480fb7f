package dev.r1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;

/** Additive causal + padding masks, built in Java (DJL has no tril). */
final class AttentionMask {

  /** Large enough to zero a softmax weight, finite so fully masked rows stay NaN-free. */
  static final float MASKED = -1e9f;

  private AttentionMask() {}

  /**
   * mask[b, 0, 0, t, s] = 0 where new token t (at absolute index S - T + t) may see key s (s not
   * after it and a real token), MASKED elsewhere; shape (B, 1, 1, T, S).
   */
  static NDArray additive(NDManager m, int[] keyMask, int b, int t, int s, DataType type) {
    int past = s - t;
    Shape shape = new Shape(b, 1, 1, t, s);
    if (type == DataType.FLOAT64) {
      double[] v = new double[b * t * s];
      for (int i = 0; i < b; i++) {
        for (int q = 0; q < t; q++) {
          for (int k = 0; k < s; k++) {
            boolean ok = k <= past + q && keyMask[i * s + k] != 0;
            v[(i * t + q) * s + k] = ok ? 0 : MASKED;
          }
        }
      }
      return HostArrays.doubles(m, v, shape);
    }
    float[] v = new float[b * t * s];
    for (int i = 0; i < b; i++) {
      for (int q = 0; q < t; q++) {
        for (int k = 0; k < s; k++) {
          boolean ok = k <= past + q && keyMask[i * s + k] != 0;
          v[(i * t + q) * s + k] = ok ? 0 : MASKED;
        }
      }
    }
    return HostArrays.floats(m, v, shape);
  }
}
