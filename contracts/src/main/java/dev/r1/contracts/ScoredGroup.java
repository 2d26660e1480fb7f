package dev.r1.contracts;

import java.util.ArrayList;
import java.util.List;

/**
 * A sampled group with one {@link CompletionScore} per completion. Value type of {@link
 * Topics#SCORED_GROUPS}; key {@link Keys#of(ScoredGroup)} (the group's key again).
 *
 * <p>Produced by the reward-service; consumed by the trainer-service's batcher (staleness filter,
 * advantages) and by the distill-service (rejection sampling, evaluation). The whole {@link
 * SampledGroup} travels inside, so the trainer has token ids and behaviour log-probs without a
 * join.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION} when written by this code
 * @param jobId the job; equals {@code group.jobId()}
 * @param groupId the group; equals {@code group.groupId()}
 * @param group the sampled group that was scored
 * @param scores one score per completion, in the group's completion order
 * @param scorerInstance the reward worker that scored the group (pod name or host:port)
 * @param scoringMillis wall time spent scoring the whole group, >= 0
 */
public record ScoredGroup(
    int schemaVersion,
    String jobId,
    String groupId,
    SampledGroup group,
    List<CompletionScore> scores,
    String scorerInstance,
    long scoringMillis)
    implements VersionedMessage {

  /** The schema version this code writes and the newest it reads. */
  public static final int SCHEMA_VERSION = 1;

  private static final String T = "ScoredGroup";

  public ScoredGroup {
    Require.schemaVersion(T, schemaVersion);
    Require.jobId(T, jobId);
    Require.nonBlank(T, "groupId", groupId);
    Require.nonNull(T, "group", group);
    if (!group.jobId().equals(jobId)) {
      throw Require.violation(
          T, "jobId", "'" + jobId + "' differs from group.jobId " + group.jobId());
    }
    if (!group.groupId().equals(groupId)) {
      throw Require.violation(
          T, "groupId", "'" + groupId + "' differs from group.groupId " + group.groupId());
    }
    scores = Require.list(T, "scores", scores);
    List<Completion> completions = group.completions();
    if (scores.size() != completions.size()) {
      throw Require.violation(
          T, "scores", "has " + scores.size() + " entries but the group has " + completions.size());
    }
    for (int i = 0; i < scores.size(); i++) {
      String expected = completions.get(i).completionId();
      if (!scores.get(i).completionId().equals(expected)) {
        throw Require.violation(
            T,
            "scores[" + i + "].completionId",
            "is '" + scores.get(i).completionId() + "' but completion " + i + " is " + expected);
      }
    }
    Require.nonBlank(T, "scorerInstance", scorerInstance);
    Require.nonNegative(T, "scoringMillis", scoringMillis);
  }

  /** The totals r_1..r_G in completion order. */
  public double[] totals() {
    double[] r = new double[scores.size()];
    for (int i = 0; i < r.length; i++) {
      r[i] = scores.get(i).total();
    }
    return r;
  }

  /** The policy version that generated the group. */
  public long policyVersion() {
    return group.policyVersion();
  }

  /** The completion ids in group order. */
  public List<String> completionIds() {
    List<String> ids = new ArrayList<>(scores.size());
    for (CompletionScore s : scores) {
      ids.add(s.completionId());
    }
    return List.copyOf(ids);
  }
}
