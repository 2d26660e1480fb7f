package dev.r1.model;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import java.util.Arrays;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * The TorchScript decode step computes what the DJL forward pass computes, for every architecture
 * variant, and its native draw returns the log-prob of the token it drew.
 */
class ScriptedDecoderTest {

  static Iterable<ModelConfig> configs() {
    return TinyConfigs.all();
  }

  // row 1 is left-padded by three positions
  private static final int[][] IDS = {{3, 7, 11, 5, 9, 2, 30, 31}, {0, 0, 0, 4, 8, 15, 16, 23}};
  private static final int[][] MASK = {{1, 1, 1, 1, 1, 1, 1, 1}, {0, 0, 0, 1, 1, 1, 1, 1}};
  private static final int PREFIX = 5;

  @ParameterizedTest
  @MethodSource("configs")
  void scriptedStepsEqualTheFullForwardPass(ModelConfig config) {
    stepsEqualTheFullForwardPass(config, true);
  }

  @ParameterizedTest
  @MethodSource("configs")
  void scriptedStepsWithSeparateProjectionsEqualTheFullForwardPass(ModelConfig config) {
    stepsEqualTheFullForwardPass(config, false);
  }

  private void stepsEqualTheFullForwardPass(ModelConfig config, boolean fused) {
    int t = IDS[0].length;
    int v = config.vocabSize();
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(config, 3, root, DataType.FLOAT32)) {
      float[] full;
      try (NDManager m = root.newSubManager()) {
        full = model.forward(m, IDS, MASK).toFloatArray(); // (B, T, V)
      }
      try (NDManager m = root.newSubManager();
          KvCache cache = prefilled(model, m, t);
          ScriptedDecoder decoder = new ScriptedDecoder(model, m, cache, keyMask(t), t, fused)) {
        int[] seen = {PREFIX, 2};
        for (int pos = PREFIX; pos < t; pos++) {
          float[] logits =
              decoder.step(new long[] {IDS[0][pos], IDS[1][pos]}, new int[] {seen[0]++, seen[1]++});
          for (int b = 0; b < 2; b++) {
            for (int k = 0; k < v; k++) {
              assertThat((double) Math.abs(full[(b * t + pos) * v + k] - logits[b * v + k]))
                  .as("row %d position %d token %d", b, pos, k)
                  .isLessThan(1e-4);
            }
          }
          assertThat(cache.length()).isEqualTo(pos + 1);
        }
      }
    }
  }

  @ParameterizedTest
  @MethodSource("configs")
  void nativeDrawsReturnTheLogProbOfTheDrawnTokenUnderTheTemperedDistribution(ModelConfig config) {
    int t = IDS[0].length;
    int v = config.vocabSize();
    double temperature = 0.7;
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(config, 3, root, DataType.FLOAT32)) {
      try (NDManager m = root.newSubManager();
          KvCache cache = prefilled(model, m, t);
          KvCache twin = prefilled(model, m, t);
          KvCache third = prefilled(model, m, t);
          ScriptedDecoder sampler = new ScriptedDecoder(model, m, cache, keyMask(t), t);
          ScriptedDecoder reference = new ScriptedDecoder(model, m, twin, keyMask(t), t);
          ScriptedDecoder greedy = new ScriptedDecoder(model, m, third, keyMask(t), t)) {
        long[] ids = {IDS[0][PREFIX], IDS[1][PREFIX]};
        int[] positions = {PREFIX, 2};
        double[] u = {0.25, 0.9};
        double[] drawn = sampler.sample(ids, positions, u, temperature, false);
        float[] logits = reference.step(ids, positions);
        for (int b = 0; b < 2; b++) {
          double max = Double.NEGATIVE_INFINITY;
          for (int k = 0; k < v; k++) {
            max = Math.max(max, logits[b * v + k] / temperature);
          }
          double sum = 0;
          for (int k = 0; k < v; k++) {
            sum += Math.exp(logits[b * v + k] / temperature - max);
          }
          // the inverse CDF at u, in vocabulary order, as the Java sampler draws
          double cumulative = 0;
          int expected = v - 1;
          for (int k = 0; k < v; k++) {
            cumulative += Math.exp(logits[b * v + k] / temperature - max) / sum;
            if (u[b] < cumulative) {
              expected = k;
              break;
            }
          }
          int token = (int) drawn[2 * b];
          assertThat(token).as("row %d", b).isEqualTo(expected);
          double logprob = logits[b * v + token] / temperature - max - Math.log(sum);
          assertThat(drawn[2 * b + 1]).as("row %d log-prob", b).isCloseTo(logprob, within(1e-4));
        }
        double[] argmax = greedy.sample(ids, positions, u, 1.0, true);
        for (int b = 0; b < 2; b++) {
          int best = 0;
          double lse = 0;
          for (int k = 0; k < v; k++) {
            if (logits[b * v + k] > logits[b * v + best]) {
              best = k;
            }
          }
          for (int k = 0; k < v; k++) {
            lse += Math.exp(logits[b * v + k] - logits[b * v + best]);
          }
          assertThat((int) argmax[2 * b]).as("row %d greedy token", b).isEqualTo(best);
          assertThat(argmax[2 * b + 1])
              .as("row %d greedy log-prob", b)
              .isCloseTo(-Math.log(lse), within(1e-4));
        }
      }
    }
  }

  @Test
  void aDecoderRefusesACacheWithoutCapacityAndAStepPastIt() {
    ModelConfig config = TinyConfigs.qwen2();
    int t = IDS[0].length;
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(config, 3, root, DataType.FLOAT32);
        KvCache growing = new KvCache(root, config.numLayers())) {
      assertThatThrownBy(() -> new ScriptedDecoder(model, root, growing, keyMask(t), t))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("capacity");
      try (NDManager m = root.newSubManager();
          KvCache cache = prefilled(model, m, t)) {
        assertThatThrownBy(() -> new ScriptedDecoder(model, m, cache, new int[][] {MASK[0]}, t))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("keyMask has 1 rows but the cache holds 2");
      }
      try (NDManager m = root.newSubManager();
          KvCache cache = prefilled(model, m, PREFIX + 1);
          ScriptedDecoder decoder = new ScriptedDecoder(model, m, cache, keyMask(t), t)) {
        decoder.step(new long[] {1, 2}, new int[] {PREFIX, 2});
        assertThatThrownBy(() -> decoder.step(new long[] {1, 2}, new int[] {PREFIX + 1, 3}))
            .isInstanceOf(IllegalStateException.class)
            .hasMessageContaining("holds 6 positions; 7 were asked for");
        assertThatThrownBy(() -> decoder.step(new long[] {1}, new int[] {1}))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("needs 2 ids");
        assertThatThrownBy(() -> decoder.step(new long[] {1, 2}, new int[] {t, 2}))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessageContaining("positions[0] is 8; this decoder's rotary tables cover [0, 8)");
      }
    }
  }

  /** A cache with room for {@code capacity} positions, prefilled with the first PREFIX tokens. */
  private static KvCache prefilled(CausalLm model, NDManager m, int capacity) {
    KvCache cache = new KvCache(m, model.config().numLayers(), capacity);
    int[][] pre = new int[2][];
    int[][] preMask = new int[2][];
    for (int b = 0; b < 2; b++) {
      pre[b] = Arrays.copyOf(IDS[b], PREFIX);
      preMask[b] = Arrays.copyOf(MASK[b], PREFIX);
    }
    try (NDManager step = m.newSubManager()) {
      model.forward(step, ForwardInput.of(pre, preMask), cache);
    }
    return cache;
  }

  private static int[][] keyMask(int capacity) {
    int[][] out = new int[2][];
    for (int b = 0; b < 2; b++) {
      out[b] = Arrays.copyOf(MASK[b], capacity);
    }
    return out;
  }

  private static org.assertj.core.data.Offset<Double> within(double d) {
    return org.assertj.core.data.Offset.offset(d);
  }
}
