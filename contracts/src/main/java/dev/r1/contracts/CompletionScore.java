package dev.r1.contracts;

import java.util.List;

/**
 * The rewards of one completion.
 *
 * @param completionId the scored completion's id
 * @param components one entry per reward function of the job, in spec order (may be empty only if
 *     the job has no rewards)
 * @param total the scalar reward r_i that GRPO normalises within the group; finite. By convention
 *     the weighted sum of the components, but a reward-service may apply shaping (e.g. overlong
 *     penalty), so it is carried explicitly.
 */
public record CompletionScore(String completionId, List<RewardComponent> components, double total) {

  private static final String T = "CompletionScore";

  public CompletionScore {
    Require.nonBlank(T, "completionId", completionId);
    components = Require.list(T, "components", components);
    Require.finite(T, "total", total);
  }

  /** A score whose total is the weighted sum of its components. */
  public static CompletionScore weightedSum(String completionId, List<RewardComponent> components) {
    double total = 0;
    for (RewardComponent c : components) {
      total += c.weighted();
    }
    return new CompletionScore(completionId, components, total);
  }
}
