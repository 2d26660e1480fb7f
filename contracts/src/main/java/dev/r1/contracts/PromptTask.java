package dev.r1.contracts;

import java.util.List;
import java.util.Map;

/**
 * A request to sample one group: G completions of one prompt under the current (or a requested)
 * policy. Value type of {@link Topics#PROMPTS}; key {@link Keys#of(PromptTask)}.
 *
 * <p>Produced by the trainer-service (ahead of need, within the staleness bound) and by the
 * distill-service (rejection sampling, evaluation); consumed by the sampler-service.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION} when written by this code
 * @param jobId the job the prompt belongs to
 * @param promptId stable id of the prompt within the job (typically derived from dataset and row)
 * @param groupId id of this sampling of the prompt, unique within the job (a prompt sampled in two
 *     epochs gets two group ids); null means "use the prompt id", see {@link #resolvedGroupId()}
 * @param step the trainer step this group is meant for, >= 0
 * @param epoch the pass over the dataset, >= 0
 * @param datasetRow the row index in the job's dataset, >= 0
 * @param prompt the prompt as plain text; exactly one of {@code prompt} and {@code messages} is set
 * @param messages the prompt as chat turns; exactly one of {@code prompt} and {@code messages} is
 *     set
 * @param referenceAnswer the gold answer or reference the rewards check against; may be null
 * @param metadata task-specific extras from the dataset row (e.g. countdown {@code numbers}), JSON
 *     values; never null
 * @param requestedPolicyVersion the policy version to sample with, or null for the newest the
 *     sampler has
 * @param samplingParams group size and decoding parameters
 */
public record PromptTask(
    int schemaVersion,
    String jobId,
    String promptId,
    String groupId,
    long step,
    int epoch,
    long datasetRow,
    String prompt,
    List<ChatMessage> messages,
    String referenceAnswer,
    Map<String, Object> metadata,
    Long requestedPolicyVersion,
    SamplingParams samplingParams)
    implements VersionedMessage {

  /** The schema version this code writes and the newest it reads. */
  public static final int SCHEMA_VERSION = 1;

  private static final String T = "PromptTask";

  public PromptTask {
    Require.schemaVersion(T, schemaVersion);
    Require.jobId(T, jobId);
    Require.nonBlank(T, "promptId", promptId);
    if (groupId != null) {
      Require.nonBlank(T, "groupId", groupId);
    }
    Require.nonNegative(T, "step", step);
    Require.nonNegative(T, "epoch", epoch);
    Require.nonNegative(T, "datasetRow", datasetRow);
    if ((prompt == null) == (messages == null)) {
      throw Require.violation(
          T,
          "prompt",
          prompt == null
              ? "is required when messages is absent"
              : "and messages are both set; set exactly one");
    }
    if (messages != null) {
      messages = Require.list(T, "messages", messages);
      if (messages.isEmpty()) {
        throw Require.violation(T, "messages", "must not be empty");
      }
    }
    metadata = Require.optionalMap(T, "metadata", metadata);
    if (requestedPolicyVersion != null) {
      Require.nonNegative(T, "requestedPolicyVersion", requestedPolicyVersion);
    }
    Require.nonNull(T, "samplingParams", samplingParams);
  }

  /** A plain-text prompt task with the current schema version. */
  public static PromptTask ofText(
      String jobId,
      String promptId,
      String groupId,
      long step,
      int epoch,
      long datasetRow,
      String prompt,
      String referenceAnswer,
      Map<String, Object> metadata,
      SamplingParams samplingParams) {
    return new PromptTask(
        SCHEMA_VERSION,
        jobId,
        promptId,
        groupId,
        step,
        epoch,
        datasetRow,
        prompt,
        null,
        referenceAnswer,
        metadata,
        null,
        samplingParams);
  }

  /** The group id the sampler must use: {@link #groupId()} if set, else {@link #promptId()}. */
  public String resolvedGroupId() {
    return groupId != null ? groupId : promptId;
  }
}
