package dev.r1.reward;

import java.util.List;

/**
 * A reward that needs the other completions of the same prompt (e.g. Kimi 1.5's length reward,
 * which compares a completion's length with the shortest and longest in its group). The {@link
 * RewardRunner} calls {@link #scoreGroup} with the completions of one group (grouped by the
 * metadata key {@value #GROUP_KEY}, or the whole batch when no completion carries it).
 */
public interface GroupRewardFunction extends RewardFunction {

  /** Metadata key that groups completions of the same prompt. */
  String GROUP_KEY = "group_id";

  /** Scores every completion of one group; the result list is parallel to {@code group}. */
  List<RewardResult> scoreGroup(List<RewardInput> group);

  /** Scores a completion as a group of one. */
  @Override
  default RewardResult score(RewardInput input) {
    return scoreGroup(List.of(input)).get(0);
  }
}
