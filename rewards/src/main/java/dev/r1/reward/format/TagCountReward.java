package dev.r1.reward.format;

import dev.r1.reward.RewardFunction;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardResult;
import java.util.Set;

/**
 * open-r1's tag_count_reward: 0.25 for each of {@code "<think>\n"}, {@code "\n</think>\n"}, {@code
 * "\n<answer>\n"} and {@code "\n</answer>"} that occurs exactly once (non-overlapping occurrences,
 * as Python's {@code str.count}). A dense signal towards the R1 layout.
 */
public final class TagCountReward implements RewardFunction {

  /** Accepted parameter names (none). */
  public static final Set<String> PARAMS = Set.of();

  private static final String[] TAGS = {"<think>\n", "\n</think>\n", "\n<answer>\n", "\n</answer>"};

  @Override
  public String name() {
    return "tag_count";
  }

  @Override
  public RewardResult score(RewardInput input) {
    String s = input.completion();
    double total = 0;
    StringBuilder detail = new StringBuilder();
    for (String tag : TAGS) {
      int c = count(s, tag);
      if (c == 1) {
        total += 0.25;
      } else {
        detail.append(tag.strip()).append(" x").append(c).append(' ');
      }
    }
    return RewardResult.ok(total, detail.toString().strip());
  }

  static int count(String s, String needle) {
    int c = 0;
    for (int i = s.indexOf(needle); i >= 0; i = s.indexOf(needle, i + needle.length())) {
      c++;
    }
    return c;
  }
}
