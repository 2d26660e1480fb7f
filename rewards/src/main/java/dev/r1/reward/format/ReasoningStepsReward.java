package dev.r1.reward.format;

import dev.r1.reward.RewardFunction;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardParams;
import dev.r1.reward.RewardResult;
import java.util.Set;

/**
 * open-r1's reasoning_steps_reward: counts step markers ({@code Step N:}, a leading {@code N.} at
 * the very start of the text, {@code \n-}, {@code \n*}, {@code First,} {@code Second,} {@code
 * Next,} {@code Finally,}) left to right without overlap, as Python's {@code re.findall} with that
 * alternation does, and returns {@code min(1, count / min_steps)} (min_steps defaults to 3). A
 * hand-written scanner instead of the regex: linear time.
 */
public final class ReasoningStepsReward implements RewardFunction {

  /** Accepted parameter names. */
  public static final Set<String> PARAMS = Set.of("min_steps");

  private static final String[] WORDS = {"First,", "Second,", "Next,", "Finally,"};

  private final int minSteps;

  public ReasoningStepsReward(int minSteps) {
    if (minSteps < 1) {
      throw new IllegalArgumentException("params.min_steps must be >= 1, got " + minSteps);
    }
    this.minSteps = minSteps;
  }

  /** From spec params. */
  public static ReasoningStepsReward from(RewardParams p) {
    p.requireOnly(PARAMS);
    int m = p.getInt("min_steps", 3);
    if (m < 1) {
      throw p.invalid("min_steps", "must be >= 1, got " + m);
    }
    return new ReasoningStepsReward(m);
  }

  @Override
  public String name() {
    return "reasoning_steps";
  }

  @Override
  public RewardResult score(RewardInput input) {
    int count = countSteps(input.completion());
    return RewardResult.ok(Math.min(1.0, count / (double) minSteps), count + " step markers");
  }

  static int countSteps(String s) {
    int count = 0;
    int n = s.length();
    int i = 0;
    while (i < n) {
      int len = matchAt(s, i);
      if (len > 0) {
        count++;
        i += len;
      } else {
        i++;
      }
    }
    return count;
  }

  /** Length of the first alternative matching at {@code i}, or 0. */
  private static int matchAt(String s, int i) {
    int n = s.length();
    char c = s.charAt(i);
    if (c == 'S' && s.startsWith("Step ", i)) {
      int j = i + 5;
      while (j < n && Character.isDigit(s.charAt(j))) {
        j++;
      }
      if (j > i + 5 && j < n && s.charAt(j) == ':') {
        return j + 1 - i;
      }
    }
    if (i == 0 && Character.isDigit(c)) {
      int j = 0;
      while (j < n && Character.isDigit(s.charAt(j))) {
        j++;
      }
      if (j < n && s.charAt(j) == '.') {
        return j + 1;
      }
    }
    if (c == '\n' && i + 1 < n && (s.charAt(i + 1) == '-' || s.charAt(i + 1) == '*')) {
      return 2;
    }
    for (String w : WORDS) {
      if (c == w.charAt(0) && s.startsWith(w, i)) {
        return w.length();
      }
    }
    return 0;
  }
}
