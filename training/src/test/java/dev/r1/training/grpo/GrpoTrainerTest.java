package dev.r1.training.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
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

class GrpoTrainerTest {

  private static final int[] PROMPT = {2, 30, 31};

  private static SampledCompletion completion(
      double reward, boolean truncated, long version, int... tokens) {
    float[] lp = new float[tokens.length];
    java.util.Arrays.fill(lp, -2f);
    return new SampledCompletion(
        tokens, lp, truncated, reward, Map.of("accuracy", reward), version);
  }

  private static PromptGroup group(String id, double... rewards) {
    List<SampledCompletion> cs = new ArrayList<>();
    for (int i = 0; i < rewards.length; i++) {
      cs.add(completion(rewards[i], false, 0, 40 + i, 50 + i, 3));
    }
    return new PromptGroup(id, PROMPT, cs);
  }

  @Test
  void trainerLogprobsOfFreshSamplesEqualTheSamplersBehaviourLogprobs() {
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(TinyLm.config(32, 2), 8, root, DataType.FLOAT32)) {
      List<int[]> prompts = List.of(new int[] {2, 30, 31, 32}, new int[] {2, 33});
      double temperature = 0.7;
      List<dev.r1.model.generate.Completion> cs =
          new dev.r1.model.generate.Generator(model, 0)
              .generate(
                  root,
                  prompts,
                  new dev.r1.model.generate.SamplingParams(
                      6, temperature, 0, 1, 4, java.util.Set.of(3)));
      List<GrpoBatch.Row> rows = new ArrayList<>();
      for (int i = 0; i < cs.size(); i++) {
        rows.add(
            new GrpoBatch.Row(
                prompts.get(i), SampledCompletion.of(cs.get(i), 0, null, 0), 0, true));
      }
      GrpoBatch b = new GrpoBatch(rows, 0);
      try (NDManager m = root.newSubManager()) {
        float[] lp =
            TokenScores.compute(model, m, b.ids, b.attentionMask, temperature, false)
                .logprobs()
                .get(b.completionColumns())
                .toFloatArray();
        for (int i = 0; i < lp.length; i++) {
          if (b.completionMask[i] != 0) {
            assertThat((double) lp[i]).as("token %d", i).isCloseTo(b.behaviour[i], within(1e-4));
          }
        }
      }
    }
  }

  @Test
  void batchLayoutPutsCompletionTokensAfterTheLongestPrompt() {
    GrpoBatch b =
        new GrpoBatch(
            List.of(
                new GrpoBatch.Row(new int[] {2, 9}, completion(1, false, 0, 60, 3), 0.5, true),
                new GrpoBatch.Row(
                    new int[] {2, 8, 9}, completion(0, true, 0, 61, 62, 63), -0.5, true)),
            0);
    assertThat(b.ids[0]).containsExactly(0, 2, 9, 60, 3, 0);
    assertThat(b.attentionMask[0]).containsExactly(0, 1, 1, 1, 1, 0);
    assertThat(b.ids[1]).containsExactly(2, 8, 9, 61, 62, 63);
    assertThat(b.completionColumns()).isEqualTo(":, 2:5");
    assertThat(b.completionMask).containsExactly(1, 1, 0, 1, 1, 1);
    assertThat(b.advantages).containsExactly(0.5f, -0.5f);
    assertThat(b.behaviour).containsExactly(-2f, -2f, 0f, -2f, -2f, -2f);
  }

  @Test
  void overlongFilteringMasksTruncatedCompletions() {
    GrpoBatch masked =
        new GrpoBatch(
            List.of(
                new GrpoBatch.Row(PROMPT, completion(1, false, 0, 60, 3), 1, true),
                new GrpoBatch.Row(PROMPT, completion(0, true, 0, 61, 62), -1, false)),
            0);
    assertThat(masked.completionMask).containsExactly(1, 1, 0, 0);
    assertThat(masked.trainedTokens).isEqualTo(2);

    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(TinyLm.config(16, 1), 1, root, DataType.FLOAT32);
        GrpoTrainer trainer =
            new GrpoTrainer(model, null, GrpoTrainerConfig.defaults(1e-3, 0), root)) {
      // every completion hit the limit: nothing is trained on
      List<SampledCompletion> cs =
          List.of(completion(1, true, 0, 60, 61), completion(0, true, 0, 62, 63));
      Map<String, double[]> before = snapshot(model);
      GrpoStepMetrics m = trainer.update(List.of(new PromptGroup("p", PROMPT, cs)));
      assertThat(m.skipped()).isTrue();
      assertThat(m.clippedRatio()).isEqualTo(1.0);
      assertThat(trainer.policyVersion()).isZero();
      assertThat(maxChange(before, snapshot(model))).isZero();
    }
  }

  @Test
  void dynamicSamplingDropsGroupsWhoseRewardsAreAllEqual() {
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(TinyLm.config(16, 1), 1, root, DataType.FLOAT32);
        GrpoTrainer trainer =
            new GrpoTrainer(model, null, GrpoTrainerConfig.defaults(1e-3, 0), root)) {
      Map<String, double[]> before = snapshot(model);
      GrpoStepMetrics allEqual =
          trainer.update(List.of(group("a", 1, 1, 1, 1), group("b", 0, 0, 0, 0)));
      assertThat(allEqual.skipped()).isTrue();
      assertThat(allEqual.fracRewardZeroStd()).isEqualTo(1.0);
      assertThat(allEqual.groupsTrained()).isZero();
      assertThat(maxChange(before, snapshot(model))).isZero();

      GrpoStepMetrics mixed =
          trainer.update(List.of(group("a", 1, 1, 1, 1), group("b", 1, 0, 0, 0)));
      assertThat(mixed.skipped()).isFalse();
      assertThat(mixed.groupsTrained()).isEqualTo(1);
      assertThat(mixed.fracRewardZeroStd()).isEqualTo(0.5);
      assertThat(mixed.policyVersion()).isEqualTo(1);
      assertThat(mixed.gradNorm()).isPositive();
      assertThat(maxChange(before, snapshot(model))).isPositive();
    }
  }

  @Test
  void advantagesFromGroupRewardsReachTheMetricsAndTheUpdateFavoursTheRewardedCompletion() {
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(TinyLm.config(32, 1), 2, root, DataType.FLOAT32);
        GrpoTrainer trainer =
            new GrpoTrainer(model, null, GrpoTrainerConfig.defaults(3e-3, 0), root)) {
      PromptGroup g = group("p", 1, 0, 0, 0);
      double[] before = sequenceLogps(model, root, g);
      GrpoStepMetrics m = trainer.update(List.of(g));
      // A = (r - mean) / (bessel std + 1e-4): mean 0.25, std 0.5
      assertThat(m.advantageMax()).isCloseTo(0.75 / (0.5 + 1e-4), within(1e-9));
      assertThat(m.advantageMin()).isCloseTo(-0.25 / (0.5 + 1e-4), within(1e-9));
      assertThat(m.advantageMean()).isCloseTo(0, within(1e-12));
      assertThat(m.rewardMean()).isEqualTo(0.25);
      assertThat(m.rewardComponentMeans()).containsEntry("accuracy", 0.25);
      assertThat(m.completionLengthMean()).isEqualTo(3);
      assertThat(m.entropy()).isPositive();
      assertThat(m.clipRatioRegion()).isZero(); // one on-policy iteration: ratio 1
      assertThat(m.kl()).isNaN(); // beta 0: no reference model
      double[] after = sequenceLogps(model, root, g);
      assertThat(after[0]).isGreaterThan(before[0]);
      for (int i = 1; i < 4; i++) {
        assertThat(after[i]).as("completion %d", i).isLessThan(before[i]);
      }
    }
  }

  @Test
  void microBatchesAccumulateToTheFullBatchGradient() {
    List<PromptGroup> groups =
        List.of(
            group("a", 1, 0, 0.5, 0),
            new PromptGroup(
                "b",
                new int[] {2, 33},
                List.of(
                    completion(0, false, 0, 70, 71, 72, 3),
                    completion(1, false, 0, 73, 3),
                    completion(0.2, false, 0, 74, 75, 3),
                    completion(0.7, false, 0, 76, 3))));
    for (LossAggregation agg : LossAggregation.values()) {
      GrpoConfig loss = GrpoConfig.dapo().withLossAggregation(agg, 8);
      Map<String, double[]> full = updateDeltas(groups, loss, 8);
      Map<String, double[]> micro = updateDeltas(groups, loss, 3);
      double max = 0;
      for (String name : full.keySet()) {
        double[] a = full.get(name);
        double[] b = micro.get(name);
        for (int i = 0; i < a.length; i++) {
          assertThat(b[i]).as("%s %s[%d]", agg, name, i).isCloseTo(a[i], within(1e-9));
          max = Math.max(max, Math.abs(a[i]));
        }
      }
      assertThat(max).as(agg.name()).isGreaterThan(1e-5);
    }
  }

  private static Map<String, double[]> updateDeltas(
      List<PromptGroup> groups, GrpoConfig loss, int micro) {
    // a huge epsilon makes AdamW's first step proportional to the gradient
    GrpoTrainerConfig cfg =
        new GrpoTrainerConfig(
            loss,
            new OptimizerConfig(0.9, 0.999, 1e3, 0.0, 0.0),
            LrSchedule.constant(1e3),
            1.0,
            1,
            micro,
            false,
            true,
            0);
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(TinyLm.config(16, 1), 5, root, DataType.FLOAT64);
        GrpoTrainer trainer = new GrpoTrainer(model, null, cfg, root)) {
      Map<String, double[]> before = snapshot(model);
      trainer.update(groups);
      Map<String, double[]> after = snapshot(model);
      after.forEach(
          (n, v) -> {
            for (int i = 0; i < v.length; i++) {
              v[i] -= before.get(n)[i];
            }
          });
      return after;
    }
  }

  @Test
  void severalIterationsClipAndReferenceModelGivesKl() {
    GrpoTrainerConfig cfg =
        GrpoTrainerConfig.defaults(5e-2, 0)
            .withIterations(3)
            .withLoss(GrpoConfig.dapo().withBeta(0.1));
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(TinyLm.config(16, 1), 1, root, DataType.FLOAT32);
        CausalLm ref = model.copy(root, DataType.FLOAT32);
        GrpoTrainer trainer = new GrpoTrainer(model, ref, cfg, root)) {
      GrpoStepMetrics m = trainer.update(List.of(group("p", 1, 0, 0, 1)));
      assertThat(m.optimizerSteps()).isEqualTo(3);
      assertThat(m.policyVersion()).isEqualTo(1);
      assertThat(m.kl()).isPositive(); // iterations 2 and 3 have moved away from the reference
      assertThat(m.clipRatioRegion()).isPositive(); // a large rate pushes ratios out of the clip
    }
    assertThatThrownBy(() -> new GrpoTrainer(null, null, cfg, null))
        .isInstanceOf(NullPointerException.class);
  }

  @Test
  void rejectsKlWithoutAReferenceModel() {
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(TinyLm.config(16, 1), 1, root, DataType.FLOAT32)) {
      GrpoTrainerConfig cfg =
          GrpoTrainerConfig.defaults(1e-3, 0).withLoss(GrpoConfig.dapo().withBeta(0.04));
      assertThatThrownBy(() -> new GrpoTrainer(model, null, cfg, root))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("reference model");
    }
  }

  @Test
  void staleSamplesReportPolicyLag() {
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(TinyLm.config(16, 1), 1, root, DataType.FLOAT32);
        GrpoTrainer trainer =
            new GrpoTrainer(
                model,
                null,
                GrpoTrainerConfig.defaults(1e-3, 0)
                    .withLoss(GrpoConfig.dapo().withImportanceRatioCap(2.0)),
                root)) {
      trainer.setPolicyVersion(5);
      List<SampledCompletion> cs =
          List.of(
              completion(1, false, 5, 40, 3),
              completion(0, false, 3, 41, 3),
              completion(0, false, 4, 42, 3));
      GrpoStepMetrics m = trainer.update(List.of(new PromptGroup("p", PROMPT, cs)));
      assertThat(m.policyLagMax()).isEqualTo(2);
      assertThat(m.policyLagMean()).isCloseTo(1.0, within(1e-12));
      assertThat(m.policyVersion()).isEqualTo(6);
      assertThat(m.skipped()).isFalse();
    }
  }

  private static double[] sequenceLogps(CausalLm model, NDManager root, PromptGroup g) {
    List<GrpoBatch.Row> rows = new ArrayList<>();
    for (SampledCompletion c : g.completions()) {
      rows.add(new GrpoBatch.Row(g.promptIds(), c, 0, true));
    }
    GrpoBatch b = new GrpoBatch(rows, 0);
    try (NDManager m = root.newSubManager()) {
      NDArray lp =
          TokenScores.compute(model, m, b.ids, b.attentionMask, 1.0, false)
              .logprobs()
              .get(b.completionColumns());
      double[] v = lp.toType(DataType.FLOAT64, false).toDoubleArray();
      double[] out = new double[b.size()];
      for (int i = 0; i < v.length; i++) {
        out[i / b.completionLength] += v[i] * b.completionMask[i];
      }
      return out;
    }
  }

  /**
   * A NaN weight makes the forward pass NaN. Today the loss refuses the non-finite log-probs with a
   * clear error before any gradient step, so the weights and the version stay as they were and
   * nothing can be published; the update is not skipped quietly (the trainer-service job fails).
   */
  @Test
  void aNanForwardPassSkipsTheUpdateAndLeavesWeightsAndVersionAlone() {
    try (NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(TinyLm.config(16, 1), 1, root, DataType.FLOAT32);
        GrpoTrainer trainer =
            new GrpoTrainer(model, null, GrpoTrainerConfig.defaults(1e-3, 0), root)) {
      GrpoStepMetrics healthy =
          trainer.update(List.of(group("a", 1, 0, 0, 0), group("b", 0, 1, 1, 0)));
      assertThat(healthy.skipped()).isFalse();
      assertThat(trainer.policyVersion()).isEqualTo(1);

      String name = model.parameters().keySet().iterator().next();
      NDArray w = model.parameters().get(name);
      float[] values = w.toFloatArray();
      values[0] = Float.NaN;
      ai.djl.pytorch.jni.JniUtils.setGradMode(false);
      try (NDManager tmp = root.newSubManager()) {
        w.set(tmp.create(values, w.getShape()).toByteBuffer());
      } finally {
        ai.djl.pytorch.jni.JniUtils.setGradMode(true);
      }
      Map<String, double[]> before = snapshot(model);
      GrpoStepMetrics bad = trainer.update(List.of(group("c", 1, 0, 0, 0), group("d", 0, 1, 1, 0)));
      assertThat(bad.skipped()).isTrue();
      assertThat(trainer.nonFiniteSkips()).isEqualTo(1);
      assertThat(trainer.lastNonFiniteReason()).contains("not finite");
      assertThat(trainer.policyVersion()).isEqualTo(1);
      Map<String, double[]> after = snapshot(model);
      for (String n : before.keySet()) {
        double[] b = before.get(n);
        double[] a = after.get(n);
        for (int k = 0; k < b.length; k++) {
          assertThat(Double.compare(a[k], b[k])).as("%s[%d]", n, k).isZero();
        }
      }
    }
  }

  private static Map<String, double[]> snapshot(CausalLm model) {
    Map<String, double[]> out = new LinkedHashMap<>();
    model
        .parameters()
        .forEach((n, p) -> out.put(n, p.toType(DataType.FLOAT64, false).toDoubleArray()));
    return out;
  }

  private static double maxChange(Map<String, double[]> a, Map<String, double[]> b) {
    double max = 0;
    for (String n : a.keySet()) {
      for (int i = 0; i < a.get(n).length; i++) {
        max = Math.max(max, Math.abs(a.get(n)[i] - b.get(n)[i]));
      }
    }
    return max;
  }
}
