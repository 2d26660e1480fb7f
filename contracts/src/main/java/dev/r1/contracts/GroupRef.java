package dev.r1.contracts;

import java.util.List;

/**
 * A reference from a {@link TrainingBatch} to one scored group it trains on: the ids that lead back
 * to the prompt, the completions (and their rewards) and the behaviour policy.
 *
 * @param groupId the group's id (key {@code jobId:groupId} on the group topics)
 * @param promptId the prompt the group answers
 * @param policyVersion the policy version that sampled the group
 * @param completionIds the completions used from the group (all of them unless filtered), distinct
 *     and non-empty
 * @param sourcePartition partition of the {@link Topics#SCORED_GROUPS} record, or null if unknown
 * @param sourceOffset offset of the {@link Topics#SCORED_GROUPS} record, or null if unknown
 */
public record GroupRef(
    String groupId,
    String promptId,
    long policyVersion,
    List<String> completionIds,
    Integer sourcePartition,
    Long sourceOffset) {

  private static final String T = "GroupRef";

  public GroupRef {
    Require.nonBlank(T, "groupId", groupId);
    Require.nonBlank(T, "promptId", promptId);
    Require.nonNegative(T, "policyVersion", policyVersion);
    completionIds = Require.distinctIds(T, "completionIds", completionIds);
    if (completionIds.isEmpty()) {
      throw Require.violation(T, "completionIds", "must not be empty (group " + groupId + ")");
    }
    if (sourcePartition != null) {
      Require.nonNegative(T, "sourcePartition", sourcePartition);
    }
    if (sourceOffset != null) {
      Require.nonNegative(T, "sourceOffset", sourceOffset);
    }
  }

  /** A reference to every completion of a scored group, without source coordinates. */
  public static GroupRef of(ScoredGroup scored) {
    return new GroupRef(
        scored.groupId(),
        scored.group().promptId(),
        scored.policyVersion(),
        scored.completionIds(),
        null,
        null);
  }

  /** A reference to every completion of a scored group read from the given partition/offset. */
  public static GroupRef of(ScoredGroup scored, int partition, long offset) {
    return new GroupRef(
        scored.groupId(),
        scored.group().promptId(),
        scored.policyVersion(),
        scored.completionIds(),
        partition,
        offset);
  }
}
