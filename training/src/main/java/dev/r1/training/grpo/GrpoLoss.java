package dev.r1.training.grpo;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import dev.r1.model.HostArrays;
import java.util.Objects;

/**
 * The GRPO clipped surrogate objective with optional k3 KL penalty, in the variants of {@link
 * GrpoConfig}.
 *
 * <p>Call it inside a {@code GradientCollector}; every array it creates (constants included, which
 * must outlive the backward pass) is attached to the manager of {@code logp}, so run each step in
 * its own manager. Only NDArray-NDArray operations touch the autograd path.
 */
public final class GrpoLoss {

  private GrpoLoss() {}

  /**
   * Computes the loss.
   *
   * @param logp (B, T) per-token log-probs of the current policy (requires gradient)
   * @param oldLogp (B, T) log-probs of the policy that produced the samples; {@code null} means
   *     on-policy ({@code logp} detached)
   * @param refLogp (B, T) reference-policy log-probs; may be {@code null} only when {@code beta ==
   *     0} (then {@link GrpoLossResult#klMean()} is NaN)
   * @param advantages (B) or (B, 1) one advantage per completion
   * @param mask (B, T) 1 on completion tokens, 0 on padding
   * @param cfg the objective's settings
   */
  public static GrpoLossResult compute(
      NDArray logp,
      NDArray oldLogp,
      NDArray refLogp,
      NDArray advantages,
      NDArray mask,
      GrpoConfig cfg) {
    return compute(logp, oldLogp, refLogp, advantages, mask, null, cfg);
  }

  /**
   * Computes the loss with a truncated importance weight for samples drawn by a staler behaviour
   * policy: each token's policy-gradient term is multiplied by {@code min(exp(oldLogp -
   * behaviourLogp), importanceRatioCap)} (a constant, no gradient), as TRL's vLLM importance
   * sampling correction and decoupled PPO do. The KL term is not weighted.
   *
   * @param behaviourLogp (B, T) log-probs under the policy that sampled the tokens, or {@code null}
   *     for no weighting; when given, {@link GrpoConfig#importanceRatioCap()} must be set
   * @see #compute(NDArray, NDArray, NDArray, NDArray, NDArray, GrpoConfig)
   */
  public static GrpoLossResult compute(
      NDArray logp,
      NDArray oldLogp,
      NDArray refLogp,
      NDArray advantages,
      NDArray mask,
      NDArray behaviourLogp,
      GrpoConfig cfg) {
    Objects.requireNonNull(logp, "logp must not be null");
    Objects.requireNonNull(advantages, "advantages must not be null");
    Objects.requireNonNull(mask, "mask must not be null");
    Objects.requireNonNull(cfg, "cfg must not be null");
    Shape shape = logp.getShape();
    if (shape.dimension() != 2) {
      throw new IllegalArgumentException("logp must be 2-D (B, T), got shape " + shape);
    }
    DataType dt = logp.getDataType();
    if (!dt.isFloating()) {
      throw new IllegalArgumentException("logp must be floating point, got " + dt);
    }
    int batch = Math.toIntExact(shape.get(0));
    int time = Math.toIntExact(shape.get(1));
    requireShape("oldLogp", oldLogp, shape);
    requireShape("refLogp", refLogp, shape);
    requireShape("mask", mask, shape);
    requireShape("behaviourLogp", behaviourLogp, shape);
    Shape advShape = advantages.getShape();
    if (!(advShape.equals(new Shape(batch)) || advShape.equals(new Shape(batch, 1)))) {
      throw new IllegalArgumentException(
          "advantages must have shape (" + batch + ") or (" + batch + ", 1), got " + advShape);
    }
    if (cfg.beta() > 0 && refLogp == null) {
      throw new IllegalArgumentException("refLogp must be given when GrpoConfig.beta > 0");
    }
    if (behaviourLogp != null && cfg.importanceRatioCap().isEmpty()) {
      throw new IllegalArgumentException(
          "GrpoConfig.importanceRatioCap must be set when behaviourLogp is given");
    }
    if (cfg.lossAggregation() == LossAggregation.CONSTANT_NORMALIZER
        && time > cfg.maxCompletionLength()) {
      throw new IllegalArgumentException(
          "logp has "
              + time
              + " completion positions, more than GrpoConfig.maxCompletionLength "
              + cfg.maxCompletionLength());
    }

    // Detached copies for validation and statistics.
    double[] lp = HostCopy.of(logp);
    double[] old = oldLogp == null ? lp : HostCopy.of(oldLogp);
    double[] ref = refLogp == null ? null : HostCopy.of(refLogp);
    double[] beh = behaviourLogp == null ? null : HostCopy.of(behaviourLogp);
    double[] adv = HostCopy.of(advantages);
    double[] m = HostCopy.of(mask);
    requireFinite("logp", lp, time);
    if (oldLogp != null) {
      requireFinite("oldLogp", old, time);
    }
    if (ref != null) {
      requireFinite("refLogp", ref, time);
    }
    if (beh != null) {
      requireFinite("behaviourLogp", beh, time);
    }
    requireFinite("advantages", adv, 1);
    for (int i = 0; i < m.length; i++) {
      if (m[i] != 0.0 && m[i] != 1.0) {
        throw new IllegalArgumentException(
            "mask[" + i / time + "][" + i % time + "] must be 0 or 1, got " + m[i]);
      }
    }

    NDManager manager = logp.getManager();
    Constants c = new Constants(manager, dt);
    NDArray one = c.of(1.0);
    NDArray oldArr = oldLogp == null ? logp.stopGradient() : c.cast(oldLogp);
    NDArray maskArr = c.cast(mask);
    NDArray advArr = c.cast(advantages).reshape(batch, 1);

    NDArray ratio = logp.sub(oldArr).exp();
    NDArray clipped =
        ratio.maximum(c.of(1.0 - cfg.epsilonLow())).minimum(c.of(1.0 + cfg.epsilonHigh()));
    NDArray perToken = ratio.mul(advArr).minimum(clipped.mul(advArr)).neg();
    if (behaviourLogp != null) {
      NDArray weight =
          oldArr
              .sub(c.cast(behaviourLogp))
              .exp()
              .minimum(c.of(cfg.importanceRatioCap().getAsDouble()))
              .stopGradient();
      perToken = perToken.mul(weight);
    }
    if (cfg.beta() > 0) {
      NDArray diff = c.cast(refLogp).sub(logp);
      NDArray kl = diff.exp().sub(diff).sub(one);
      perToken = perToken.add(kl.mul(c.of(cfg.beta())));
    }
    NDArray masked = perToken.mul(maskArr);
    NDArray loss =
        switch (cfg.lossAggregation()) {
          case SEQUENCE_MEAN ->
              masked.sum(new int[] {1}).div(maskArr.sum(new int[] {1}).maximum(one)).mean();
          case TOKEN_MEAN -> masked.sum().div(maskArr.sum().maximum(one));
          case CONSTANT_NORMALIZER ->
              masked.sum().div(c.of((double) batch * cfg.maxCompletionLength()));
        };

    return Stats.of(loss, lp, old, ref, beh, adv, m, time, cfg);
  }

  private static void requireShape(String name, NDArray array, Shape expected) {
    if (array != null && !array.getShape().equals(expected)) {
      throw new IllegalArgumentException(
          name + " must have the shape of logp " + expected + ", got " + array.getShape());
    }
  }

  private static void requireFinite(String name, double[] values, int rowLength) {
    for (int i = 0; i < values.length; i++) {
      if (!Double.isFinite(values[i])) {
        String where =
            rowLength == 1 ? "[" + i + "]" : "[" + i / rowLength + "][" + i % rowLength + "]";
        throw new NonFiniteValueException(
            name + where + " is not finite (" + values[i] + "); fill padding with 0");
      }
    }
  }

  /**
   * Constant arrays in the step's manager, kept alive until the manager closes (the backward pass
   * reads them), in the dtype of {@code logp}.
   */
  private static final class Constants {
    private final NDManager manager;
    private final DataType dt;

    Constants(NDManager manager, DataType dt) {
      this.manager = manager;
      this.dt = dt;
    }

    NDArray of(double value) {
      NDArray wide = HostArrays.doubles(manager, new double[] {value}, new Shape());
      return dt == DataType.FLOAT64 ? wide : wide.toType(dt, false);
    }

    NDArray cast(NDArray array) {
      return array.getDataType() == dt ? array : array.toType(dt, false);
    }
  }
}
