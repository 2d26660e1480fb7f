package dev.r1.training.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.r1.training.grpo.GrpoFixtures.Case;
import dev.r1.training.grpo.GrpoLossFixtureTest.Evaluation;
import org.junit.jupiter.api.Test;

/** Truncated importance weights, empty masks and input validation. */
class GrpoLossBehaviourTest {

  private static final Engine ENGINE = Engine.getEngine("PyTorch");

  @Test
  void truncatedImportanceWeightScalesThePolicyGradientPerToken() {
    Case c = GrpoFixtures.named("off_policy_group_seqmean");
    assertThat(c.config().beta()).isZero();
    double cap = 2.0;
    double[] u = new double[c.logp().length];
    double[] behaviour = new double[u.length];
    for (int i = 0; i < u.length; i++) {
      u[i] = 0.25 + (i % 7) * 0.45; // 0.25 .. 2.95
      behaviour[i] = c.logpOld()[i] - Math.log(u[i]); // exp(old - behaviour) = u
    }
    Evaluation e =
        GrpoLossFixtureTest.evaluate(
            c,
            c.logp(),
            true,
            true,
            behaviour,
            c.config().withImportanceRatioCap(cap),
            DataType.FLOAT64);
    double weightSum = 0;
    int tokens = 0;
    int truncated = 0;
    for (int i = 0; i < u.length; i++) {
      double w = Math.min(u[i], cap);
      assertThat(e.grad()[i])
          .as("weighted d loss / d logp[%d][%d]", i / c.time(), i % c.time())
          .isCloseTo(c.expectedGrad()[i] * w, within(1e-9));
      if (c.mask()[i] == 1.0) {
        tokens++;
        weightSum += w;
        truncated += u[i] > cap ? 1 : 0;
      }
    }
    assertThat(e.result().importanceWeightMean()).isCloseTo(weightSum / tokens, within(1e-12));
    assertThat(e.result().importanceWeightTruncatedFraction())
        .isCloseTo((double) truncated / tokens, within(1e-12));
    assertThat(truncated).isPositive();
  }

  @Test
  void behaviourEqualToOldLeavesTheFixtureUnchanged() {
    Case c = GrpoFixtures.named("dapo_clip_higher_token_mean");
    Evaluation e =
        GrpoLossFixtureTest.evaluate(
            c,
            c.logp(),
            true,
            true,
            c.logpOld(),
            c.config().withImportanceRatioCap(3.0),
            DataType.FLOAT64);
    GrpoLossFixtureTest.assertMatchesFixture(c, e, c.tolerance(), true);
    assertThat(e.result().importanceWeightMean()).isCloseTo(1.0, within(1e-12));
  }

  @Test
  void sequenceWithEmptyMaskContributesNothingAndStaysFinite() {
    double[] logp = {-1.0, -2.0, -0.5, -0.7};
    double[] mask = {1, 1, 0, 0};
    try (NDManager m = ENGINE.newBaseManager()) {
      NDArray lp = m.create(logp, new Shape(2, 2));
      lp.setRequiresGradient(true);
      GrpoLossResult r;
      try (GradientCollector gc = ENGINE.newGradientCollector()) {
        r =
            GrpoLoss.compute(
                lp,
                null,
                null,
                m.create(new double[] {1.0, -1.0}),
                m.create(mask, new Shape(2, 2)),
                GrpoConfig.defaults().withBeta(0));
        gc.backward(r.loss());
      }
      // on-policy: per-token loss -A, row 0 mean = -1, row 1 = 0, batch mean = -0.5
      assertThat(r.lossValue()).isCloseTo(-0.5, within(1e-12));
      assertThat(r.tokenCount()).isEqualTo(2);
      // d/dlogp of -ratio*A/len/B = -1 * 1 / 2 / 2
      assertThat(lp.getGradient().toDoubleArray())
          .containsExactly(new double[] {-0.25, -0.25, 0, 0}, within(1e-12));
    }
  }

  @Test
  void rejectsMisshapenTensorsNamingThem() {
    try (NDManager m = ENGINE.newBaseManager()) {
      NDArray lp = m.zeros(new Shape(2, 3), DataType.FLOAT64);
      NDArray adv = m.zeros(new Shape(2), DataType.FLOAT64);
      NDArray mask = m.ones(new Shape(2, 3), DataType.FLOAT64);
      GrpoConfig cfg = GrpoConfig.defaults().withBeta(0);
      assertThatThrownBy(() -> GrpoLoss.compute(lp, null, null, adv, m.ones(new Shape(3, 2)), cfg))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("mask");
      assertThatThrownBy(() -> GrpoLoss.compute(lp, m.zeros(new Shape(2, 2)), null, adv, mask, cfg))
          .hasMessageContaining("oldLogp");
      assertThatThrownBy(() -> GrpoLoss.compute(lp, null, null, m.zeros(new Shape(3)), mask, cfg))
          .hasMessageContaining("advantages");
      assertThatThrownBy(() -> GrpoLoss.compute(m.zeros(new Shape(6)), null, null, adv, mask, cfg))
          .hasMessageContaining("logp must be 2-D");
    }
  }

  @Test
  void rejectsBadValuesNamingTheirPosition() {
    try (NDManager m = ENGINE.newBaseManager()) {
      NDArray lp = m.zeros(new Shape(2, 3), DataType.FLOAT64);
      NDArray adv = m.zeros(new Shape(2), DataType.FLOAT64);
      NDArray mask = m.ones(new Shape(2, 3), DataType.FLOAT64);
      GrpoConfig cfg = GrpoConfig.defaults().withBeta(0);
      NDArray halfMask = m.create(new double[] {1, 0.5, 0, 1, 1, 1}, new Shape(2, 3));
      assertThatThrownBy(() -> GrpoLoss.compute(lp, null, null, adv, halfMask, cfg))
          .hasMessageContaining("mask[0][1]");
      NDArray nanLogp =
          m.create(new double[] {0, 0, 0, 0, 0, Double.NEGATIVE_INFINITY}, new Shape(2, 3));
      assertThatThrownBy(() -> GrpoLoss.compute(nanLogp, null, null, adv, mask, cfg))
          .hasMessageContaining("logp[1][2]");
      assertThatThrownBy(() -> GrpoLoss.compute(lp, null, null, adv, mask, GrpoConfig.defaults()))
          .hasMessageContaining("refLogp");
      assertThatThrownBy(() -> GrpoLoss.compute(lp, null, null, adv, mask, lp, cfg))
          .hasMessageContaining("importanceRatioCap");
      assertThatThrownBy(() -> GrpoLoss.compute(lp, null, null, adv, mask, GrpoConfig.drGrpo(2)))
          .hasMessageContaining("maxCompletionLength");
    }
  }
}
