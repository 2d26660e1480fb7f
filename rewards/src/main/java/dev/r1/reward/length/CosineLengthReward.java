package dev.r1.reward.length;

import dev.r1.reward.RewardFunction;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardParams;
import dev.r1.reward.RewardResult;
import dev.r1.reward.TokenCounter;
import java.util.Set;

/**
 * Cosine-scaled length reward (open-r1 get_cosine_scaled_reward): with {@code p = min(1, len /
 * max_len)} and {@code c = cos(p * pi)}, a correct completion scores {@code min_value_correct + 0.5
 * * (max_value_correct - min_value_correct) * (1 + c)} (shorter is better) and a wrong one {@code
 * max_value_wrong + 0.5 * (min_value_wrong - max_value_wrong) * (1 + c)} (longer is penalised
 * less). Unlike open-r1, lengths beyond {@code max_len} are clamped (as TRL does), so an overlong
 * completion never climbs back up the cosine.
 */
public final class CosineLengthReward implements RewardFunction {

  /** Accepted parameter names. */
  public static final Set<String> PARAMS =
      Set.of(
          "min_value_wrong",
          "max_value_wrong",
          "min_value_correct",
          "max_value_correct",
          "max_len",
          "unit",
          "correctness");

  private final double minWrong;
  private final double maxWrong;
  private final double minCorrect;
  private final double maxCorrect;
  private final int maxLen;
  private final LengthMeasure measure;

  private CosineLengthReward(
      double minWrong,
      double maxWrong,
      double minCorrect,
      double maxCorrect,
      int maxLen,
      LengthMeasure measure) {
    this.minWrong = minWrong;
    this.maxWrong = maxWrong;
    this.minCorrect = minCorrect;
    this.maxCorrect = maxCorrect;
    this.maxLen = maxLen;
    this.measure = measure;
  }

  /** From spec params (defaults as open-r1: -1, -0.5, 0.5, 1.0, max_len 1000). */
  public static CosineLengthReward from(RewardParams p, TokenCounter counter) {
    p.requireOnly(PARAMS);
    int maxLen = p.getInt("max_len", 1000);
    if (maxLen <= 0) {
      throw p.invalid("max_len", "must be > 0, got " + maxLen);
    }
    return new CosineLengthReward(
        p.getDouble("min_value_wrong", -1.0),
        p.getDouble("max_value_wrong", -0.5),
        p.getDouble("min_value_correct", 0.5),
        p.getDouble("max_value_correct", 1.0),
        maxLen,
        LengthMeasure.from(p, counter));
  }

  @Override
  public String name() {
    return "cosine_length";
  }

  @Override
  public RewardResult score(RewardInput input) {
    boolean correct;
    try {
      correct = measure.correct(input);
    } catch (IllegalArgumentException e) {
      return RewardResult.error(e.getMessage());
    }
    int len = measure.length(input);
    double progress = Math.min(1.0, len / (double) maxLen);
    double cosine = Math.cos(progress * Math.PI);
    double lo = correct ? minCorrect : maxWrong;
    double hi = correct ? maxCorrect : minWrong;
    double v = lo + 0.5 * (hi - lo) * (1.0 + cosine);
    return RewardResult.ok(v, "len=" + len + " correct=" + correct);
  }
}
