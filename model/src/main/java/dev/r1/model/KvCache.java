package dev.r1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;
import ai.djl.pytorch.jni.JniUtils;

/**
 * Keys and values of the tokens seen so far, per layer, for incremental decoding. Keys are kept
 * transposed, (B, nKV, hd, capacity), so attention multiplies by them without a further transpose;
 * values are (B, nKV, capacity, hd). Each step writes its new positions in place and attends to a
 * view of the filled prefix, so a step copies only its own keys and values (the buffers grow by
 * doubling when a step would overflow them). The cache owns its arrays in its own manager; close it
 * when done.
 */
public final class KvCache implements AutoCloseable {

  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private final int capacityHint;
  private final NDManager weightManager;
  private final NDArray[][] weights;
  private int length;

  /** A cache that sizes itself from the first pass and grows as needed. */
  public KvCache(NDManager parent, int layers) {
    this(parent, layers, 0);
  }

  /**
   * @param capacity positions to reserve up front (prompt plus new tokens), so decoding never
   *     reallocates
   */
  public KvCache(NDManager parent, int layers, int capacity) {
    this.manager = parent.newSubManager();
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
    this.capacityHint = capacity;
    this.weightManager = parent.newSubManager();
    this.weights = new NDArray[layers][];
  }

  /** A layer's stacked weights kept for this cache's lifetime by the model, or null. */
  NDArray[] weights(int layer) {
    return weights[layer];
  }

  /**
   * Keeps a layer's stacked weights (derived from the model's parameters, which must not change
   * while this cache is in use, as they do not during one generation).
   */
  void keepWeights(int layer, NDArray[] w) {
    for (NDArray a : w) {
      if (a != null) {
        a.attach(weightManager);
      }
    }
    weights[layer] = w;
  }

  /** Number of positions cached. */
  public int length() {
    return length;
  }

  /**
   * Writes new keys (B, nKV, hd, T) and values (B, nKV, T, hd) at positions past..past+T and
   * returns views of all cached ones, (B, nKV, hd, S) and (B, nKV, S, hd), in {@code m}.
   */
  NDArray[] append(NDManager m, int layer, NDArray newKeysT, NDArray newValues, int past) {
    long[] ks = newKeysT.getShape().getShape();
    int t = (int) ks[3];
    int s = past + t;
    NDArray k = keys[layer];
    NDArray v = values[layer];
    long capacity = k == null ? 0 : k.getShape().get(3);
    if (s > capacity) {
      long grown = Math.max(s, Math.max(capacityHint, 2 * capacity));
      NDArray k2 = manager.zeros(new Shape(ks[0], ks[1], ks[2], grown), newKeysT.getDataType());
      NDArray v2 = manager.zeros(new Shape(ks[0], ks[1], grown, ks[2]), newValues.getDataType());
      if (k != null) {
        try (NDArray kPast = slice(k, 3, past);
            NDArray vPast = slice(v, 2, past)) {
          write(k2, kPast, 3, 0);
          write(v2, vPast, 2, 0);
        }
        k.close();
        v.close();
      }
      k = k2;
      v = v2;
      keys[layer] = k;
      values[layer] = v;
    }
    write(k, newKeysT, 3, past);
    write(v, newValues, 2, past);
    NDArray kView = slice(k, 3, s);
    NDArray vView = slice(v, 2, s);
    kView.attach(m);
    vView.attach(m);
    return new NDArray[] {kView, vView};
  }

  /** target[..., at:at+n, ...] = source along {@code axis} (n = source's size there), in place. */
  private static void write(NDArray target, NDArray source, int axis, long at) {
    long[] src = source.getShape().getShape();
    long[] min = new long[src.length];
    long[] max = src.clone();
    long[] step = new long[src.length];
    java.util.Arrays.fill(step, 1);
    min[axis] = at;
    max[axis] = at + src[axis];
    JniUtils.indexSet((PtNDArray) target, (PtNDArray) source, min, max, step);
  }

  /** A view of the first {@code n} positions along {@code axis}. */
  private static NDArray slice(NDArray a, int axis, long n) {
    return JniUtils.slice((PtNDArray) a, axis, 0, n, 1);
  }

  void advance(int tokens) {
    length += tokens;
  }

  /** Key and value arrays held (a leak check for tests). */
  public int arrayCount() {
    return manager.getManagedArrays().size();
  }

  @Override
  public void close() {
    manager.close();
    weightManager.close();
  }
}
