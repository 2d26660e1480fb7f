package dev.r1.training.grpo;

import java.util.Objects;
import java.util.OptionalDouble;

/**
 * Settings of the GRPO objective.
 *
 * <p>Per token: {@code ratio = exp(logp - oldLogp)}, {@code clipped = clamp(ratio, 1 - epsilonLow,
 * 1 + epsilonHigh)}, {@code l = -min(ratio*A, clipped*A) * w + beta * k3}, where {@code k3 =
 * exp(ref - logp) - (ref - logp) - 1} and {@code w} is the truncated importance weight {@code
 * min(exp(oldLogp - behaviourLogp), importanceRatioCap)} (1 unless behaviour log-probs are given).
 *
 * @param epsilonLow lower clip range, in [0, 1)
 * @param epsilonHigh upper clip range, at least 0 (DAPO "clip higher" uses 0.28 with 0.2 low)
 * @param beta weight of the k3 KL penalty towards the reference policy, at least 0
 * @param lossAggregation how token losses are reduced
 * @param maxCompletionLength the Dr. GRPO constant; must be positive for {@link
 *     LossAggregation#CONSTANT_NORMALIZER}, otherwise ignored (0 allowed)
 * @param advantageScale how {@link Advantages} scales mean-centred rewards
 * @param importanceRatioCap truncation of the importance weight between the policy that computed
 *     {@code oldLogp} and a staler behaviour policy that sampled the tokens (TRL's vLLM importance
 *     sampling correction, AReaL's decoupled PPO); at least 1 when present
 */
public record GrpoConfig(
    double epsilonLow,
    double epsilonHigh,
    double beta,
    LossAggregation lossAggregation,
    int maxCompletionLength,
    AdvantageScale advantageScale,
    OptionalDouble importanceRatioCap) {

  public GrpoConfig {
    if (!(epsilonLow >= 0 && epsilonLow < 1)) {
      throw new IllegalArgumentException(
          "GrpoConfig.epsilonLow must be in [0, 1), got " + epsilonLow);
    }
    if (!(epsilonHigh >= 0) || Double.isInfinite(epsilonHigh)) {
      throw new IllegalArgumentException(
          "GrpoConfig.epsilonHigh must be finite and >= 0, got " + epsilonHigh);
    }
    if (!(beta >= 0) || Double.isInfinite(beta)) {
      throw new IllegalArgumentException("GrpoConfig.beta must be finite and >= 0, got " + beta);
    }
    Objects.requireNonNull(lossAggregation, "GrpoConfig.lossAggregation must not be null");
    Objects.requireNonNull(advantageScale, "GrpoConfig.advantageScale must not be null");
    Objects.requireNonNull(
        importanceRatioCap, "GrpoConfig.importanceRatioCap must not be null (use empty)");
    if (maxCompletionLength < 0) {
      throw new IllegalArgumentException(
          "GrpoConfig.maxCompletionLength must be >= 0, got " + maxCompletionLength);
    }
    if (lossAggregation == LossAggregation.CONSTANT_NORMALIZER && maxCompletionLength <= 0) {
      throw new IllegalArgumentException(
          "GrpoConfig.maxCompletionLength must be > 0 for CONSTANT_NORMALIZER, got "
              + maxCompletionLength);
    }
    if (importanceRatioCap.isPresent()) {
      double cap = importanceRatioCap.getAsDouble();
      if (!(cap >= 1) || Double.isInfinite(cap)) {
        throw new IllegalArgumentException(
            "GrpoConfig.importanceRatioCap must be finite and >= 1, got " + cap);
      }
    }
  }

  /**
   * The GRPO paper's settings: epsilon 0.2 both sides, beta 0.04, sequence mean, group scaling, no
   * importance weight cap.
   */
  public static GrpoConfig defaults() {
    return new GrpoConfig(
        0.2,
        0.2,
        0.04,
        LossAggregation.SEQUENCE_MEAN,
        0,
        AdvantageScale.GROUP,
        OptionalDouble.empty());
  }

  /** DAPO: clip higher (0.2 / 0.28), no KL, token mean, group scaling. */
  public static GrpoConfig dapo() {
    return new GrpoConfig(
        0.2,
        0.28,
        0.0,
        LossAggregation.TOKEN_MEAN,
        0,
        AdvantageScale.GROUP,
        OptionalDouble.empty());
  }

  /** Dr. GRPO: no KL, no std scaling, constant normaliser {@code maxCompletionLength}. */
  public static GrpoConfig drGrpo(int maxCompletionLength) {
    return new GrpoConfig(
        0.2,
        0.2,
        0.0,
        LossAggregation.CONSTANT_NORMALIZER,
        maxCompletionLength,
        AdvantageScale.NONE,
        OptionalDouble.empty());
  }

  /** A copy with both clip ranges replaced. */
  public GrpoConfig withEpsilon(double low, double high) {
    return new GrpoConfig(
        low, high, beta, lossAggregation, maxCompletionLength, advantageScale, importanceRatioCap);
  }

  /** A copy with another KL weight. */
  public GrpoConfig withBeta(double newBeta) {
    return new GrpoConfig(
        epsilonLow,
        epsilonHigh,
        newBeta,
        lossAggregation,
        maxCompletionLength,
        advantageScale,
        importanceRatioCap);
  }

  /** A copy with another aggregation (and the Dr. GRPO constant, 0 when unused). */
  public GrpoConfig withLossAggregation(LossAggregation aggregation, int maxLength) {
    return new GrpoConfig(
        epsilonLow, epsilonHigh, beta, aggregation, maxLength, advantageScale, importanceRatioCap);
  }

  /** A copy with another advantage scaling. */
  public GrpoConfig withAdvantageScale(AdvantageScale scale) {
    return new GrpoConfig(
        epsilonLow,
        epsilonHigh,
        beta,
        lossAggregation,
        maxCompletionLength,
        scale,
        importanceRatioCap);
  }

  /** A copy that truncates importance weights at {@code cap}. */
  public GrpoConfig withImportanceRatioCap(double cap) {
    return new GrpoConfig(
        epsilonLow,
        epsilonHigh,
        beta,
        lossAggregation,
        maxCompletionLength,
        advantageScale,
        OptionalDouble.of(cap));
  }
}
