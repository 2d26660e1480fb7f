package dev.r1.model;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Decoding token by token through the KV cache computes what one full pass computes. */
class KvCacheTest {

  static Iterable<ModelConfig> configs() {
    return TinyConfigs.all();
  }

  @ParameterizedTest
  @MethodSource("configs")
  void incrementalDecodingEqualsFullForward(ModelConfig config) {
    decodeAndCompare(config, 0);
  }

  @ParameterizedTest
  @MethodSource("configs")
  void aPreallocatedCacheWrittenInPlaceEqualsFullForward(ModelConfig config) {
    decodeAndCompare(config, 8);
  }

  @org.junit.jupiter.api.Test
  void aPreallocatedCacheRefusesToGrowPastItsCapacity() {
    ModelConfig config = TinyConfigs.all().iterator().next();
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(config, 3, root, DataType.FLOAT32);
        KvCache cache = new KvCache(root, config.numLayers(), 3)) {
      int[][] ids = {{1, 2, 3, 4}};
      int[][] mask = {{1, 1, 1, 1}};
      org.assertj.core.api.Assertions.assertThatThrownBy(
              () -> model.forward(root, ForwardInput.of(ids, mask), cache))
          .isInstanceOf(IllegalStateException.class)
          .hasMessageContaining("holds 3 positions; 4 were asked for");
    }
  }

  private void decodeAndCompare(ModelConfig config, int capacity) {
    int[][] ids = {{3, 7, 11, 5, 9, 2, 30, 31}, {0, 0, 0, 4, 8, 15, 16, 23}};
    int[][] mask = {{1, 1, 1, 1, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 1, 1, 1}};
    int prefix = 5;
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(config, 3, root, DataType.FLOAT32)) {
      float[] full;
      try (NDManager m = root.newSubManager()) {
        full = model.forward(m, ids, mask).toFloatArray(); // (B, T, V)
      }
      int v = config.vocabSize();
      int t = ids[0].length;
      try (NDManager m = root.newSubManager();
          KvCache cache = new KvCache(m, config.numLayers(), capacity)) {
        int[][] pre = new int[2][];
        int[][] preMask = new int[2][];
        for (int b = 0; b < 2; b++) {
          pre[b] = Arrays.copyOf(ids[b], prefix);
          preMask[b] = Arrays.copyOf(mask[b], prefix);
        }
        float[] first;
        try (NDManager step = m.newSubManager()) {
          first = model.forward(step, ForwardInput.of(pre, preMask), cache).toFloatArray();
        }
        compare(full, first, 2, t, prefix, v, 0, mask);
        int[] seen = {prefix, 2};
        for (int pos = prefix; pos < t; pos++) {
          long[] next = {ids[0][pos], ids[1][pos]};
          int[] positions = {seen[0]++, seen[1]++};
          int s = pos + 1;
          int[] keyMask = new int[2 * s];
          for (int b = 0; b < 2; b++) {
            System.arraycopy(mask[b], 0, keyMask, b * s, s);
          }
          try (NDManager step = m.newSubManager()) {
            float[] out =
                model
                    .forward(step, new ForwardInput(2, 1, next, positions, keyMask), cache)
                    .toFloatArray();
            compare(full, out, 2, t, 1, v, pos, mask);
          }
          assertThat(cache.arrayCount()).isEqualTo(2 * config.numLayers());
        }
      }
    }
  }

  private static void compare(
      float[] full, float[] part, int b, int t, int len, int v, int start, int[][] mask) {
    for (int i = 0; i < b; i++) {
      for (int j = 0; j < len; j++) {
        if (mask[i][start + j] == 0) {
          continue;
        }
        for (int k = 0; k < v; k++) {
          float expected = full[(i * t + start + j) * v + k];
          float actual = part[(i * len + j) * v + k];
          assertThat((double) Math.abs(expected - actual))
              .as("row %d position %d token %d", i, start + j, k)
              .isLessThan(1e-4);
        }
      }
    }
  }
}
