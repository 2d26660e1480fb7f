package dev.r1.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;

/**
 * Keys and values of the tokens seen so far, per layer, for incremental decoding. Keys are kept
 * transposed, (B, nKV, hd, S), so attention multiplies by them without a further transpose; values
 * are (B, nKV, S, hd). The cache owns its arrays in its own manager; close it when done.
 */
public final class KvCache implements AutoCloseable {

  private final NDManager manager;
  private final NDArray[] keys;
  private final NDArray[] values;
  private int length;

  public KvCache(NDManager parent, int layers) {
    this.manager = parent.newSubManager();
    this.keys = new NDArray[layers];
    this.values = new NDArray[layers];
  }

  /** Number of positions cached. */
  public int length() {
    return length;
  }

  /** Appends new keys (B, nKV, hd, T) and values (B, nKV, T, hd); returns the full ones. */
  NDArray[] append(int layer, NDArray newKeysT, NDArray newValues) {
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
