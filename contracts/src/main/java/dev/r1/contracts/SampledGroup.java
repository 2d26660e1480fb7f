package dev.r1.contracts;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;

/**
 * The G completions the sampler generated for one {@link PromptTask}, with the behaviour policy's
 * version and per-token log-probabilities. Value type of {@link Topics#SAMPLED_GROUPS}; key {@link
 * Keys#of(SampledGroup)} (same as the prompt's, so a group stays in one partition).
 *
 * <p>Produced by the sampler-service; consumed by the reward-service. The originating task travels
 * inside, so a reward worker has the prompt, reference answer and metadata without a lookup.
 *
 * <p>Equality compares array contents.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION} when written by this code
 * @param jobId the job; equals {@code task.jobId()}
 * @param promptId the prompt; equals {@code task.promptId()}
 * @param groupId the group; equals {@code task.resolvedGroupId()}
 * @param policyVersion version of the policy that generated every completion of the group, >= 0 (0
 *     = the base model)
 * @param task the prompt task this group answers
 * @param promptTokenIds the tokenised (chat-templated) prompt shared by all completions, or null
 *     when the sampler does not send it (the trainer then re-tokenises)
 * @param completions exactly {@code task.samplingParams().groupSize()} completions with distinct
 *     ids
 * @param timings generation time and throughput
 * @param samplerInstance the sampler that produced the group (pod name or host:port), for tracing
 */
public record SampledGroup(
    int schemaVersion,
    String jobId,
    String promptId,
    String groupId,
    long policyVersion,
    PromptTask task,
    int[] promptTokenIds,
    List<Completion> completions,
    GenerationTimings timings,
    String samplerInstance)
    implements VersionedMessage {

  /** The schema version this code writes and the newest it reads. */
  public static final int SCHEMA_VERSION = 1;

  private static final String T = "SampledGroup";

  public SampledGroup {
    Require.schemaVersion(T, schemaVersion);
    Require.jobId(T, jobId);
    Require.nonBlank(T, "promptId", promptId);
    Require.nonBlank(T, "groupId", groupId);
    Require.nonNegative(T, "policyVersion", policyVersion);
    Require.nonNull(T, "task", task);
    if (!task.jobId().equals(jobId)) {
      throw Require.violation(
          T, "jobId", "'" + jobId + "' differs from task.jobId " + task.jobId());
    }
    if (!task.promptId().equals(promptId)) {
      throw Require.violation(
          T, "promptId", "'" + promptId + "' differs from task.promptId " + task.promptId());
    }
    if (!task.resolvedGroupId().equals(groupId)) {
      throw Require.violation(
          T,
          "groupId",
          "'" + groupId + "' differs from the task's group " + task.resolvedGroupId());
    }
    if (promptTokenIds != null) {
      promptTokenIds = promptTokenIds.clone();
    }
    completions = Require.list(T, "completions", completions);
    int g = task.samplingParams().groupSize();
    if (completions.size() != g) {
      throw Require.violation(
          T,
          "completions",
          "has " + completions.size() + " entries but the task's groupSize is " + g);
    }
    List<String> ids = new ArrayList<>(completions.size());
    for (Completion c : completions) {
      ids.add(c.completionId());
    }
    Require.distinctIds(T, "completions.completionId", ids);
    Require.nonNull(T, "timings", timings);
    Require.nonBlank(T, "samplerInstance", samplerInstance);
  }

  /** The completion ids in group order. */
  public List<String> completionIds() {
    List<String> ids = new ArrayList<>(completions.size());
    for (Completion c : completions) {
      ids.add(c.completionId());
    }
    return List.copyOf(ids);
  }

  /** A defensive copy of the prompt token ids, or null. */
  @Override
  public int[] promptTokenIds() {
    return promptTokenIds == null ? null : promptTokenIds.clone();
  }

  @Override
  public boolean equals(Object o) {
    if (!(o instanceof SampledGroup)) {
      return false;
    }
    SampledGroup s = (SampledGroup) o;
    return schemaVersion == s.schemaVersion
        && jobId.equals(s.jobId)
        && promptId.equals(s.promptId)
        && groupId.equals(s.groupId)
        && policyVersion == s.policyVersion
        && task.equals(s.task)
        && Arrays.equals(promptTokenIds, s.promptTokenIds)
        && completions.equals(s.completions)
        && timings.equals(s.timings)
        && samplerInstance.equals(s.samplerInstance);
  }

  @Override
  public int hashCode() {
    return Objects.hash(jobId, groupId, policyVersion, completions);
  }

  @Override
  public String toString() {
    return "SampledGroup[jobId="
        + jobId
        + ", promptId="
        + promptId
        + ", groupId="
        + groupId
        + ", policyVersion="
        + policyVersion
        + ", completions="
        + completions.size()
        + ", samplerInstance="
        + samplerInstance
        + "]";
  }
}
