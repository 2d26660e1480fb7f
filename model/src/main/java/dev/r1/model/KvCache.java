package dev.r1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.index.NDIndex;
import ai.djl.ndarray.types.Shape;
import ai.djl.pytorch.engine.PtNDArray;

/**
 * Keys and values of the tokens seen so far, per layer, for incremental decoding. Keys are kept
 * transposed, (B, nKV, hd, S), so attention multiplies by them without a further transpose; values
 * are (B, nKV, S, hd). The cache owns its arrays in its own manager; close it when done.
 *
 * <p>With a capacity (the longest sequence the caller will run, prompt plus new tokens) each
 * layer's buffers are allocated once and new positions are written in place; attention reads a view
 * of the first S positions. Without one, every step concatenates, copying the whole cache.
 */
public final class KvCache implements AutoCloseable {

  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private final int capacity;
  private int length;

  /** A cache that grows by concatenation (any length). */
  public KvCache(NDManager parent, int layers) {
    this(parent, layers, 0);
  }

  /**
   * A cache preallocated for {@code capacity} positions (0: grow by concatenation instead).
   *
   * @throws IllegalArgumentException if {@code capacity} is negative
   */
  public KvCache(NDManager parent, int layers, int capacity) {
    if (capacity < 0) {
      throw new IllegalArgumentException("capacity must be >= 0, got " + capacity);
    }
    this.manager = parent.newSubManager();
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
    this.capacity = capacity;
  }

  /** Number of positions cached. */
  public int length() {
    return length;
  }

  /**
   * Appends new keys (B, nKV, hd, T) and values (B, nKV, T, hd); returns the full ones, (B, nKV,
   * hd, S) and (B, nKV, S, hd). With a capacity the returned arrays are views attached to {@code
   * m}, the caller's step manager.
   */
  NDArray[] append(NDManager m, int layer, NDArray newKeysT, NDArray newValues) {
    if (capacity > 0) {
      return appendInPlace(m, layer, newKeysT, newValues);
    }
    NDArray k;
    NDArray v;
    if (keys[layer] == null) {
      k = newKeysT;
      v = newValues;
    } else {
      k = CausalLm.concat(keys[layer], newKeysT, 3);
      v = CausalLm.concat(values[layer], newValues, 2);
      keys[layer].close();
      values[layer].close();
    }
    k.attach(manager);
    v.attach(manager);
    keys[layer] = k;
    values[layer] = v;
    return new NDArray[] {k, v};
  }

  private NDArray[] appendInPlace(NDManager m, int layer, NDArray newKeysT, NDArray newValues) {
    long[] ks = newKeysT.getShape().getShape(); // (B, nKV, hd, T)
    int t = (int) ks[3];
    int s = length + t;
    if (s > capacity) {
      throw new IllegalStateException(
          "the KV cache holds " + capacity + " positions; " + s + " were asked for");
    }
    if (keys[layer] == null) {
      keys[layer] = manager.zeros(new Shape(ks[0], ks[1], ks[2], capacity), newKeysT.getDataType());
      values[layer] =
          manager.zeros(new Shape(ks[0], ks[1], capacity, ks[2]), newValues.getDataType());
    }
    keys[layer].set(new NDIndex(":, :, :, {}:{}", length, s), newKeysT);
    values[layer].set(new NDIndex(":, :, {}:{}, :", length, s), newValues);
    NDArray k = keys[layer].get(new NDIndex(":, :, :, :{}", s));
    NDArray v = values[layer].get(new NDIndex(":, :, :{}, :", s));
    k.attach(m);
    v.attach(m);
    return new NDArray[] {k, v};
  }

  /** Positions preallocated (0 for a cache that grows by concatenation). */
  public int capacity() {
    return capacity;
  }

  /** Each layer's preallocated key buffer, (B, nKV, hd, capacity), for in-place writers. */
  PtNDArray[] keyBuffers() {
    return buffers(keys);
  }

  /** Each layer's preallocated value buffer, (B, nKV, capacity, hd). */
  PtNDArray[] valueBuffers() {
    return buffers(values);
  }

  private PtNDArray[] buffers(NDArray[] arrays) {
    PtNDArray[] out = new PtNDArray[arrays.length];
    for (int i = 0; i < arrays.length; i++) {
      if (capacity == 0 || arrays[i] == null) {
        throw new IllegalStateException("the cache has no preallocated buffers to write in place");
      }
      out[i] = (PtNDArray) arrays[i];
    }
    return out;
  }

  void advance(int tokens) {
    length += tokens;
  }

  /** Arrays held (a leak check for tests). */
  public int arrayCount() {
    return manager.getManagedArrays().size();
  }

  @Override
  public void close() {
    manager.close();
  }
}
