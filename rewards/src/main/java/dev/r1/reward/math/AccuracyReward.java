package dev.r1.reward.math;

import dev.r1.reward.RewardFunction;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardResult;
import java.util.Objects;
import java.util.Optional;

/**
 * The accuracy reward: 1.0 when the completion's final answer is mathematically equivalent to the
 * reference answer, else 0.0. The reference may be a bare answer ({@code 025}, {@code
 * \frac{\pi}{2}}), a GSM8K solution ending in {@code #### 1,234}, or a LaTeX solution with a {@code
 * \boxed{}}. By default the answer must stand after the {@code </think>} block.
 *
 * <p>Thread-safe and bounded: each call returns within {@link AccuracyOptions#timeoutMillis()}
 * (with a TIMEOUT result when exceeded) and never recurses without a limit.
 */
public final class AccuracyReward implements RewardFunction {

  private final AccuracyOptions options;

  public AccuracyReward() {
    this(AccuracyOptions.defaults());
  }

  public AccuracyReward(AccuracyOptions options) {
    this.options = Objects.requireNonNull(options, "options");
  }

  public AccuracyOptions options() {
    return options;
  }

  @Override
  public String name() {
    return "accuracy";
  }

  @Override
  public RewardResult score(RewardInput input) {
    String reference = input.reference();
    if (reference == null || reference.isBlank()) {
      return RewardResult.error("accuracy reward needs a reference answer, got none");
    }
    Optional<String> region =
        AnswerExtractor.answerRegion(input.completion(), options.requireAnswerOutsideThink());
    if (region.isEmpty()) {
      return RewardResult.ok(0.0, "no answer: <think> block is never closed");
    }
    MathEquivalence.Verdict v = MathEquivalence.verify(reference, region.get(), options);
    return switch (v.status()) {
      case MATCH -> RewardResult.ok(1.0, v.detail());
      case NO_MATCH -> RewardResult.ok(0.0, v.detail());
      case NO_ANSWER ->
          RewardResult.ok(
              0.0,
              options.requireAnswerOutsideThink()
                  ? "no answer found after </think>: " + v.detail()
                  : "no answer found: " + v.detail());
      case NO_REFERENCE -> RewardResult.error("reference has no answer: " + v.detail());
      case TIMEOUT -> RewardResult.timeout(v.detail());
    };
  }
}
