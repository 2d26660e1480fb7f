package dev.r1.reward.length;

import dev.r1.reward.GroupRewardFunction;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardParams;
import dev.r1.reward.RewardResult;
import dev.r1.reward.TokenCounter;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;

/**
 * Kimi 1.5 length reward (open-r1 len_reward): within a group, {@code lambda = 0.5 - (len -
 * min_len) / (max_len - min_len)}; a correct completion gets {@code lambda}, a wrong one {@code
 * min(0, lambda)}; all 0 when every completion has the same length. Correctness comes from the
 * metadata key {@code correct} (Boolean), or every completion counts as correct with {@code
 * correctness=assume_correct} (open-r1's behaviour when the gold answer does not parse). Length
 * {@code unit}: {@code tokens} (default; {@link TokenCounter}) or {@code chars} (open-r1).
 */
public final class KimiLengthReward implements GroupRewardFunction {

  /** Accepted parameter names. */
  public static final Set<String> PARAMS = Set.of("unit", "correctness");

  private final LengthMeasure measure;

  private KimiLengthReward(LengthMeasure measure) {
    this.measure = measure;
  }

  /** From spec params. */
  public static KimiLengthReward from(RewardParams p, TokenCounter counter) {
    p.requireOnly(PARAMS);
    return new KimiLengthReward(LengthMeasure.from(p, counter));
  }

  @Override
  public String name() {
    return "length";
  }

  @Override
  public List<RewardResult> scoreGroup(List<RewardInput> group) {
    int[] lengths = new int[group.size()];
    int min = Integer.MAX_VALUE;
    int max = Integer.MIN_VALUE;
    for (int i = 0; i < lengths.length; i++) {
      lengths[i] = measure.length(group.get(i));
      min = Math.min(min, lengths[i]);
      max = Math.max(max, lengths[i]);
    }
    List<RewardResult> out = new ArrayList<>(group.size());
    for (int i = 0; i < lengths.length; i++) {
      boolean correct;
      try {
        correct = measure.correct(group.get(i));
      } catch (IllegalArgumentException e) {
        out.add(RewardResult.error(e.getMessage()));
        continue;
      }
      if (max == min) {
        out.add(RewardResult.ok(0.0, "all completions have the same length"));
        continue;
      }
      double lambda = 0.5 - (lengths[i] - min) / (double) (max - min);
      double v = correct ? lambda : Math.min(0.0, lambda);
      out.add(RewardResult.ok(v, "len=" + lengths[i] + " range=[" + min + "," + max + "]"));
    }
    return out;
  }
}
