package dev.r1.contracts;

import java.util.List;

/**
 * The groups one GRPO step trains on, as a reference list (the token data stays on the scored group
 * records). Value type of {@link Topics#TRAINING_BATCHES}; key {@link Keys#of(TrainingBatch)} (the
 * job id, so a job's batches are ordered).
 *
 * <p>Produced by the trainer-service's batcher after the staleness filter; consumed by the
 * trainer-service's update loop, and kept (7 days) as the audit trail from a gradient step back to
 * prompts, completions, rewards and policy versions.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION} when written by this code
 * @param jobId the job
 * @param batchId id unique within the job (e.g. {@code "step-" + step})
 * @param step the optimiser step this batch feeds, >= 0
 * @param trainerPolicyVersion the policy version the update starts from; every group was sampled at
 *     this version or earlier
 * @param groups the groups, non-empty, distinct group ids
 * @param minPolicyVersion the oldest behaviour policy among {@code groups}
 * @param maxPolicyVersion the newest behaviour policy among {@code groups}
 */
public record TrainingBatch(
    int schemaVersion,
    String jobId,
    String batchId,
    long step,
    long trainerPolicyVersion,
    List<GroupRef> groups,
    long minPolicyVersion,
    long maxPolicyVersion)
    implements VersionedMessage {

  /** The schema version this code writes and the newest it reads. */
  public static final int SCHEMA_VERSION = 1;

  private static final String T = "TrainingBatch";

  public TrainingBatch {
    Require.schemaVersion(T, schemaVersion);
    Require.jobId(T, jobId);
    Require.nonBlank(T, "batchId", batchId);
    Require.nonNegative(T, "step", step);
    Require.nonNegative(T, "trainerPolicyVersion", trainerPolicyVersion);
    groups = Require.list(T, "groups", groups);
    if (groups.isEmpty()) {
      throw Require.violation(T, "groups", "must not be empty");
    }
    Require.distinctIds(T, "groups.groupId", groups.stream().map(GroupRef::groupId).toList());
    long min = Long.MAX_VALUE;
    long max = Long.MIN_VALUE;
    for (GroupRef g : groups) {
      min = Math.min(min, g.policyVersion());
      max = Math.max(max, g.policyVersion());
    }
    if (minPolicyVersion != min) {
      throw Require.violation(
          T, "minPolicyVersion", "is " + minPolicyVersion + " but the groups' oldest is " + min);
    }
    if (maxPolicyVersion != max) {
      throw Require.violation(
          T, "maxPolicyVersion", "is " + maxPolicyVersion + " but the groups' newest is " + max);
    }
    if (max > trainerPolicyVersion) {
      throw Require.violation(
          T,
          "trainerPolicyVersion",
          "is " + trainerPolicyVersion + " but a group was sampled by newer version " + max);
    }
  }

  /** A batch over the given groups with the policy-version range computed from them. */
  public static TrainingBatch of(
      String jobId, String batchId, long step, long trainerPolicyVersion, List<GroupRef> groups) {
    long min = groups.stream().mapToLong(GroupRef::policyVersion).min().orElse(0);
    long max = groups.stream().mapToLong(GroupRef::policyVersion).max().orElse(0);
    return new TrainingBatch(
        SCHEMA_VERSION, jobId, batchId, step, trainerPolicyVersion, groups, min, max);
  }

  /** How many policy versions the oldest group lags the trainer: {@code trainer - min}. */
  public long maxStaleness() {
    return trainerPolicyVersion - minPolicyVersion;
  }

  /** Total completions referenced. */
  public int completionCount() {
    return groups.stream().mapToInt(g -> g.completionIds().size()).sum();
  }
}
