package dev.r1.training.sft;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1.model.CausalLm;
import dev.r1.model.TokenScores;
import dev.r1.model.train.LrSchedule;
import dev.r1.model.train.OptimizerConfig;
import dev.r1.training.TinyLm;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class SftTrainerTest {

  private static final List<SftExample> EXAMPLES =
      List.of(
          new SftExample(new int[] {2, 40, 41, 42}, new int[] {50, 3}),
          new SftExample(new int[] {2, 43}, new int[] {51, 52, 53, 3}),
          new SftExample(new int[] {2, 44, 45}, new int[] {54, 55, 3}));

  @Test
  void lossMaskSelectsExactlyTheResponseTokensWhateverThePadding() {
    for (Padding padding : Padding.values()) {
      SftBatch b = SftBatch.of(EXAMPLES, padding, 0);
      int t = b.ids()[0].length;
      assertThat(t).isEqualTo(6);
      for (int i = 0; i < EXAMPLES.size(); i++) {
        SftExample e = EXAMPLES.get(i);
        List<Integer> predicted = new ArrayList<>();
        for (int j = 0; j < t - 1; j++) {
          if (b.lossMask()[i * (t - 1) + j] == 1) {
            predicted.add(b.ids()[i][j + 1]);
          }
        }
        List<Integer> response = new ArrayList<>();
        for (int id : e.response()) {
          response.add(id);
        }
        assertThat(predicted).as("%s row %d", padding, i).isEqualTo(response);
      }
      assertThat(b.responseTokens()).isEqualTo(9);
    }
  }

  @Test
  void lossEqualsHandComputedNllOfResponseTokensOnly() {
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(TinyLm.config(16, 1), 3, root, DataType.FLOAT64)) {
      double sum = 0;
      int count = 0;
      for (SftExample e : EXAMPLES) {
        int[] ids = new int[e.length()];
        System.arraycopy(e.prompt(), 0, ids, 0, e.prompt().length);
        System.arraycopy(e.response(), 0, ids, e.prompt().length, e.response().length);
        int[] mask = new int[ids.length];
        java.util.Arrays.fill(mask, 1);
        try (NDManager m = root.newSubManager()) {
          double[] lp =
              TokenScores.compute(model, m, new int[][] {ids}, new int[][] {mask}, 1.0, false)
                  .logprobs()
                  .toDoubleArray();
          for (int j = e.prompt().length; j < ids.length; j++) {
            sum -= lp[j - 1];
            count++;
          }
        }
      }
      double expected = sum / count;
      for (Padding padding : Padding.values()) {
        assertThat(SftTrainer.maskedNll(model, root, EXAMPLES, 3, padding, 0))
            .as(padding.name())
            .isCloseTo(expected, within(1e-9));
        // batches of one weight every token equally too
        assertThat(SftTrainer.maskedNll(model, root, EXAMPLES, 1, padding, 0))
            .isCloseTo(expected, within(1e-9));
      }
      // the prompt is not trained on: a loss over prompt tokens too would differ
      assertThat(expected).isGreaterThan(0);
    }
  }

  @Test
  void gradientAccumulationOverMicroBatchesMatchesOneLargeBatch() {
    // equal response lengths: the mean of micro-batch means is the batch mean
    List<SftExample> examples =
        List.of(
            new SftExample(new int[] {2, 40}, new int[] {50, 3}),
            new SftExample(new int[] {2, 41, 42}, new int[] {51, 3}),
            new SftExample(new int[] {2, 43}, new int[] {52, 3}),
            new SftExample(new int[] {2, 44, 45, 46}, new int[] {53, 3}));
    // a huge epsilon makes AdamW's first step proportional to the gradient
    OptimizerConfig sgdLike = new OptimizerConfig(0.9, 0.999, 1e3, 0.0, 0.0);
    SftConfig base =
        new SftConfig(4, 1, 1, LrSchedule.constant(1e3), sgdLike, Padding.LEFT, 0, 5, 0);
    Map<String, double[]> large = deltas(base, examples);
    Map<String, double[]> accumulated = deltas(base.withBatch(2, 2), examples);
    double maxAbs = 0;
    for (String name : large.keySet()) {
      double[] a = large.get(name);
      double[] b = accumulated.get(name);
      for (int i = 0; i < a.length; i++) {
        assertThat(b[i]).as(name).isCloseTo(a[i], within(1e-9));
        maxAbs = Math.max(maxAbs, Math.abs(a[i]));
      }
    }
    assertThat(maxAbs).isGreaterThan(1e-4);
  }

  private static Map<String, double[]> deltas(SftConfig config, List<SftExample> examples) {
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(TinyLm.config(16, 1), 9, root, DataType.FLOAT64)) {
      Map<String, double[]> before = new LinkedHashMap<>();
      model.parameters().forEach((n, p) -> before.put(n, p.toDoubleArray()));
      try (SftTrainer trainer = new SftTrainer(model, config, root)) {
        trainer.train(examples, List.of(), null);
      }
      Map<String, double[]> out = new LinkedHashMap<>();
      for (Map.Entry<String, NDArray> e : model.parameters().entrySet()) {
        double[] after = e.getValue().toDoubleArray();
        double[] b = before.get(e.getKey());
        for (int i = 0; i < after.length; i++) {
          after[i] -= b[i];
        }
        out.put(e.getKey(), after);
      }
      return out;
    }
  }

  @Test
  void trainingLowersHeldOutLossAndReportsStepMetrics() {
    List<SftExample> train = new ArrayList<>();
    for (int i = 0; i < 16; i++) {
      // response repeats the prompt's last token: a pattern a tiny model learns quickly
      train.add(new SftExample(new int[] {2, 20 + i}, new int[] {20 + i, 3}));
    }
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(TinyLm.config(32, 1), 4, root, DataType.FLOAT32);
        SftTrainer trainer =
            new SftTrainer(
                model, SftConfig.of(40, 1e-2, 0).withBatch(8, 2).withEvalEvery(20), root)) {
      List<SftStepMetrics> seen = new ArrayList<>();
      SftResult r = trainer.train(train, train.subList(0, 8), seen::add);
      assertThat(seen).hasSize(40);
      assertThat(seen.get(0).learningRate()).isLessThan(seen.get(5).learningRate()); // warmup
      assertThat(seen.get(39).learningRate()).isLessThan(seen.get(10).learningRate()); // decay
      assertThat(seen.get(19).evalLoss()).isFinite();
      assertThat(seen.get(20).evalLoss()).isNaN();
      assertThat(seen.get(39).epoch()).isCloseTo(40 * 16 / 16.0, within(1e-9));
      assertThat(seen).allSatisfy(m -> assertThat(m.tokensPerSecond()).isPositive());
      assertThat(r.finalEvalLoss()).isLessThan(r.initialEvalLoss() * 0.5);
    }
  }
}
