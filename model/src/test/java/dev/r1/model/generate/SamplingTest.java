package dev.r1.model.generate;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelConfig;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class SamplingTest {

  static final float[] LOGITS = {2.0f, 1.0f, 0.5f, -1.0f, 0.0f};

  static double[] softmax(float[] x, double t) {
    double max = Double.NEGATIVE_INFINITY;
    for (float v : x) max = Math.max(max, v / t);
    double[] p = new double[x.length];
    double s = 0;
    for (int i = 0; i < x.length; i++) {
      p[i] = Math.exp(x[i] / t - max);
      s += p[i];
    }
    for (int i = 0; i < x.length; i++) p[i] /= s;
    return p;
  }

  @Test
  void drawsFollowTheTemperatureScaledDistributionAndReportItsLogprob() {
    TokenSampler s = new TokenSampler(new SamplingParams(1, 0.7, 0, 1, 0, Set.of()));
    double[] p = softmax(LOGITS, 0.7);
    int[] counts = new int[5];
    SplittableRandom r = new SplittableRandom(1);
    int n = 200_000;
    for (int i = 0; i < n; i++) {
      TokenSampler.Draw d = s.draw(LOGITS, 0, 5, r);
      counts[d.token()]++;
      assertThat((double) d.logprob()).isCloseTo(Math.log(p[d.token()]), Offset.offset(1e-5));
      assertThat(d.scaledLogprob()).isEqualTo(d.logprob());
    }
    for (int k = 0; k < 5; k++) {
      assertThat(counts[k] / (double) n).as("token %d", k).isCloseTo(p[k], Offset.offset(0.005));
    }
  }

  @Test
  void topKAndTopPKeepOnlyTheHeadAndRenormalise() {
    TokenSampler topK = new TokenSampler(new SamplingParams(1, 1.0, 2, 1, 0, Set.of()));
    TokenSampler topP = new TokenSampler(new SamplingParams(1, 1.0, 0, 0.6, 0, Set.of()));
    double[] p = softmax(LOGITS, 1.0); // p0 ~0.51, p1 ~0.19 -> top-p 0.6 keeps {0, 1}
    SplittableRandom r = new SplittableRandom(2);
    double renorm0 = p[0] / (p[0] + p[1]);
    for (int i = 0; i < 5_000; i++) {
      for (TokenSampler s : List.of(topK, topP)) {
        TokenSampler.Draw d = s.draw(LOGITS, 0, 5, r);
        assertThat(d.token()).isIn(0, 1);
        double expected = d.token() == 0 ? renorm0 : 1 - renorm0;
        assertThat((double) d.logprob()).isCloseTo(Math.log(expected), Offset.offset(1e-5));
        assertThat((double) d.scaledLogprob())
            .isCloseTo(Math.log(p[d.token()]), Offset.offset(1e-5));
      }
    }
  }

  @Test
  void greedyPicksTheArgmax() {
    TokenSampler s = new TokenSampler(SamplingParams.greedy(1, Set.of()));
    TokenSampler.Draw d =
        s.draw(new float[] {9, 0, 1, 2, 3, 4, 5, 6}, 2, 5, new SplittableRandom(0));
    assertThat(d.token()).isEqualTo(4);
  }

  @Test
  void generationIsSeededPerRowAndStopsAtStopIds() {
    ModelConfig c =
        new ModelConfig(
            "llama",
            23,
            16,
            32,
            1,
            2,
            1,
            8,
            1e-6,
            10000,
            null,
            true,
            false,
            false,
            64,
            1,
            List.of(2),
            "float32");
    try (NDManager root = NDManager.newBaseManager();
        CausalLm m = CausalLm.random(c, 5, root, DataType.FLOAT32)) {
      Generator g = new Generator(m, 0);
      SamplingParams params = new SamplingParams(12, 1.5, 0, 1, 42, Set.of(3));
      List<Completion> a = g.generate(root, List.of(new int[] {5, 6}, new int[] {7, 8, 9}), params);
      List<Completion> b = g.generate(root, List.of(new int[] {5, 6}), params);
      // row 0 samples the same tokens whether or not row 1 is in the batch
      assertThat(b.get(0).tokens()).containsExactly(a.get(0).tokens());
      for (Completion comp : a) {
        int[] t = comp.tokens();
        for (int i = 0; i < t.length - 1; i++) {
          assertThat(t[i]).isNotEqualTo(3);
        }
        assertThat(comp.finishReason()).isEqualTo(t[t.length - 1] == 3 ? "stop" : "length");
        assertThat(comp.finishReason().equals("length")).isEqualTo(t.length == 12);
      }
    }
  }

  @Test
  void seededRequestsSharingABatchSampleWhatTheyWouldAlone() {
    ModelConfig c =
        new ModelConfig(
            "llama",
            23,
            16,
            32,
            1,
            2,
            1,
            8,
            1e-6,
            10000,
            null,
            true,
            false,
            false,
            64,
            1,
            List.of(2),
            "float32");
    try (NDManager root = NDManager.newBaseManager();
        CausalLm m = CausalLm.random(c, 9, root, DataType.FLOAT32)) {
      Generator g = new Generator(m, 0);
      SamplingParams p = new SamplingParams(10, 1.3, 0, 1, 0, Set.of());
      int[] first = {5, 6};
      int[] second = {7, 8, 9};
      // request A: seed 11, 2 rows; request B: seed 12, 3 rows; all five rows in one batch
      long[] streams = {
        Generator.stream(11, 0),
        Generator.stream(11, 1),
        Generator.stream(12, 0),
        Generator.stream(12, 1),
        Generator.stream(12, 2)
      };
      List<Completion> batched =
          g.generate(root, List.of(first, first, second, second, second), p, streams);
      List<Completion> a = g.generate(root, List.of(first, first), p.withSeed(11));
      List<Completion> b = g.generate(root, List.of(second, second, second), p.withSeed(12));
      for (int i = 0; i < 2; i++) {
        assertThat(batched.get(i).tokens()).containsExactly(a.get(i).tokens());
      }
      for (int i = 0; i < 3; i++) {
        assertThat(batched.get(2 + i).tokens()).containsExactly(b.get(i).tokens());
      }
      assertThatThrownBy(() -> g.generate(root, List.of(first), p, new long[2]))
          .hasMessageContaining("streams");
    }
  }

  @Test
  void invalidParametersAreNamed() {
    assertThatThrownBy(() -> new SamplingParams(0, 1, 0, 1, 0, Set.of()))
        .hasMessageContaining("maxNewTokens");
    assertThatThrownBy(() -> new SamplingParams(5, -1, 0, 1, 0, Set.of()))
        .hasMessageContaining("temperature");
    assertThatThrownBy(() -> new SamplingParams(5, 1, 0, 1.5, 0, Set.of()))
        .hasMessageContaining("topP");
  }
}
