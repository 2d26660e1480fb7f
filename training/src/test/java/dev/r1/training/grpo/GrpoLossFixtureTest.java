package dev.r1.training.grpo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.GradientCollector;
import dev.r1.training.grpo.GrpoFixtures.Case;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every case of {@code grpo_loss_cases.json}, in float64 on the PyTorch engine. */
class GrpoLossFixtureTest {

  private static final Engine ENGINE = Engine.getEngine("PyTorch");

  static Stream<Case> cases() {
    return GrpoFixtures.cases().stream();
  }

  /** The loss value, its detached statistics and d loss / d logp of one evaluation. */
  record Evaluation(GrpoLossResult result, double[] grad) {}

  /** Runs the loss with gradient on the case's arrays (in {@code dt}) and returns d loss/d logp. */
  static Evaluation evaluate(
      Case c, double[] logpValues, boolean withOld, boolean withRef, DataType dt) {
    return evaluate(c, logpValues, withOld, withRef, null, c.config(), dt);
  }

  static Evaluation evaluate(
      Case c,
      double[] logpValues,
      boolean withOld,
      boolean withRef,
      double[] behaviour,
      GrpoConfig cfg,
      DataType dt) {
    Shape shape = new Shape(c.batch(), c.time());
    double[] advantages = Advantages.compute(c.rewards(), c.groupSize(), cfg.advantageScale());
    try (NDManager manager = ENGINE.newBaseManager()) {
      NDArray logp = manager.create(logpValues, shape).toType(dt, false);
      NDArray old = withOld ? manager.create(c.logpOld(), shape).toType(dt, false) : null;
      NDArray ref = withRef ? manager.create(c.logpRef(), shape).toType(dt, false) : null;
      NDArray beh = behaviour == null ? null : manager.create(behaviour, shape).toType(dt, false);
      NDArray adv = manager.create(advantages).toType(dt, false);
      NDArray mask = manager.create(c.mask(), shape).toType(dt, false);
      logp.setRequiresGradient(true);
      GrpoLossResult result;
      try (GradientCollector gc = ENGINE.newGradientCollector()) {
        result = GrpoLoss.compute(logp, old, ref, adv, mask, beh, cfg);
        gc.backward(result.loss());
      }
      double[] grad = logp.getGradient().toType(DataType.FLOAT64, false).toDoubleArray();
      return new Evaluation(result, grad);
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void advantagesMatchFixture(Case c) {
    double[] a = Advantages.compute(c.rewards(), c.groupSize(), c.config().advantageScale());
    assertThat(a.length).as(c.name()).isEqualTo(c.expectedAdvantages().length);
    for (int i = 0; i < a.length; i++) {
      assertThat(a[i])
          .as("%s advantage %d", c.name(), i)
          .isCloseTo(c.expectedAdvantages()[i], within(c.tolerance()));
    }
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void lossStatisticsAndGradientMatchFixture(Case c) {
    Evaluation e = evaluate(c, c.logp(), true, true, DataType.FLOAT64);
    assertMatchesFixture(c, e, c.tolerance(), true);
  }

  @Test
  void onPolicyWithoutOldLogpEqualsPassingTheSameLogp() {
    Case c = GrpoFixtures.named("on_policy_group_seqmean_kl");
    assertThat(c.logpOld()).isEqualTo(c.logp());
    Evaluation e = evaluate(c, c.logp(), false, true, DataType.FLOAT64);
    assertMatchesFixture(c, e, c.tolerance(), true);
  }

  @Test
  void referenceMayBeOmittedWhenBetaIsZero() {
    Case c = GrpoFixtures.named("off_policy_group_seqmean");
    assertThat(c.config().beta()).isZero();
    Evaluation e = evaluate(c, c.logp(), true, false, DataType.FLOAT64);
    assertMatchesFixture(c, e, c.tolerance(), false);
    assertThat(e.result().klMean()).isNaN();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void float32MatchesFixtureToSinglePrecision(Case c) {
    Evaluation e = evaluate(c, c.logp(), true, true, DataType.FLOAT32);
    assertThat(e.result().loss().getDataType()).isEqualTo(DataType.FLOAT32);
    assertMatchesFixture(c, e, 2e-5, true);
  }

  @Test
  void gradientAgreesWithCentralFiniteDifferences() {
    Case c = GrpoFixtures.named("batch_scale_token_mean_kl");
    double[] autograd = evaluate(c, c.logp(), true, true, DataType.FLOAT64).grad();
    double h = 1e-6;
    double maxErr = 0;
    for (int i = 0; i < c.logp().length; i++) {
      double[] plus = c.logp().clone();
      double[] minus = c.logp().clone();
      plus[i] += h;
      minus[i] -= h;
      double numeric = (lossWithoutGradient(c, plus) - lossWithoutGradient(c, minus)) / (2 * h);
      assertThat(autograd[i])
          .as("%s d loss / d logp[%d][%d]", c.name(), i / c.time(), i % c.time())
          .isCloseTo(numeric, within(1e-7));
      maxErr = Math.max(maxErr, Math.abs(autograd[i] - numeric));
    }
    assertThat(maxErr).isLessThan(1e-7);
  }

  @Test
  void repeatedComputationGivesIdenticalGradients() {
    for (Case c :
        List.of(
            GrpoFixtures.named("batch_scale_token_mean_kl"),
            GrpoFixtures.named("dr_grpo_no_std_constant_norm"))) {
      double[] first = evaluate(c, c.logp(), true, true, DataType.FLOAT64).grad();
      for (int run = 1; run < 20; run++) {
        double[] again = evaluate(c, c.logp(), true, true, DataType.FLOAT64).grad();
        assertThat(again).as("%s gradient on run %d", c.name(), run).isEqualTo(first);
      }
    }
  }

  private static double lossWithoutGradient(Case c, double[] logpValues) {
    Shape shape = new Shape(c.batch(), c.time());
    double[] advantages =
        Advantages.compute(c.rewards(), c.groupSize(), c.config().advantageScale());
    try (NDManager manager = ENGINE.newBaseManager()) {
      return GrpoLoss.compute(
              manager.create(logpValues, shape),
              manager.create(c.logpOld(), shape),
              manager.create(c.logpRef(), shape),
              manager.create(advantages),
              manager.create(c.mask(), shape),
              c.config())
          .lossValue();
    }
  }

  static void assertMatchesFixture(Case c, Evaluation e, double tol, boolean checkKl) {
    GrpoLossResult r = e.result();
    assertThat(r.lossValue()).as("%s loss", c.name()).isCloseTo(c.expectedLoss(), within(tol));
    if (checkKl) {
      assertThat(r.klMean()).as("%s kl_mean", c.name()).isCloseTo(c.expectedKlMean(), within(tol));
    }
    assertThat(r.clipFractionLow())
        .as("%s clip_fraction_low", c.name())
        .isCloseTo(c.expectedClipLow(), within(tol));
    assertThat(r.clipFractionHigh())
        .as("%s clip_fraction_high", c.name())
        .isCloseTo(c.expectedClipHigh(), within(tol));
    assertThat(r.clipFractionRegion())
        .as("%s clip region", c.name())
        .isCloseTo(c.expectedClipLow() + c.expectedClipHigh(), within(tol));
    double[] grad = e.grad();
    assertThat(grad.length).as("%s gradient size", c.name()).isEqualTo(c.expectedGrad().length);
    for (int i = 0; i < grad.length; i++) {
      assertThat(grad[i])
          .as("%s d loss / d logp[%d][%d]", c.name(), i / c.time(), i % c.time())
          .isCloseTo(c.expectedGrad()[i], within(tol));
    }
  }
}
