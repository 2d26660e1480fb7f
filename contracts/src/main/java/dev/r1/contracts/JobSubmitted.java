package dev.r1.contracts;

import java.time.Instant;
import java.util.Map;
import java.util.Set;

/**
 * A job the gateway accepted: everything a worker needs to run it. Value type of {@link
 * Topics#JOBS}; key {@link Keys#of(JobSubmitted)} (the job id).
 *
 * <p>Produced by the gateway after it validated the spec and stored the job (status {@code
 * validating}); consumed by the trainer-service ({@code grpo}) and the distill-service ({@code
 * sft}, {@code distill}, {@code eval}, {@code pipeline}), each taking the methods it runs and
 * skipping the others. A pipeline's GRPO stages are child jobs ({@code <pipelineId>-s2-grpo}) the
 * distill-service submits here for the trainer-service. User requests on a running job (cancel,
 * pause, resume) travel as {@link JobEvent}s of type CANCELLED, PAUSED and RESUMED with source
 * {@code gateway} on {@link Topics#JOB_EVENTS}; the workers answer on the same topic.
 *
 * @param schemaVersion {@link #SCHEMA_VERSION} when written by this code
 * @param jobId the job
 * @param method one of {@link #METHODS}
 * @param model the base model's registry name, or {@code job:<jobId>@<version>} for a job's policy
 *     version at the policy-service ({@code job:<jobId>} for its latest); never a path
 * @param datasetId the training (or evaluation) dataset's id in the gateway
 * @param datasetUri where the validated JSONL lies (e.g. {@code file:/data/datasets/ds-....jsonl})
 * @param reward the reward spec (e.g. {@code {"functions":[{"name":"accuracy","weight":1.0}]}});
 *     JSON values; never null, may be empty
 * @param hyperparameters the method's hyperparameters with every default filled in; JSON values
 * @param owner the caller that submitted the job
 * @param createdAt when the gateway accepted it
 */
public record JobSubmitted(
    int schemaVersion,
    String jobId,
    String method,
    String model,
    String datasetId,
    String datasetUri,
    Map<String, Object> reward,
    Map<String, Object> hyperparameters,
    String owner,
    Instant createdAt)
    implements VersionedMessage {

  /** The schema version this code writes and the newest it reads. */
  public static final int SCHEMA_VERSION = 1;

  /** The training methods a job may name. */
  public static final Set<String> METHODS = Set.of("grpo", "sft", "distill", "eval", "pipeline");

  private static final String T = "JobSubmitted";

  public JobSubmitted {
    Require.schemaVersion(T, schemaVersion);
    Require.jobId(T, jobId);
    Require.nonBlank(T, "method", method);
    if (!METHODS.contains(method)) {
      throw Require.violation(
          T, "method", "must be one of " + METHODS + " but was '" + method + "'");
    }
    Require.nonBlank(T, "model", model);
    Require.nonBlank(T, "datasetId", datasetId);
    Require.nonBlank(T, "datasetUri", datasetUri);
    reward = Require.optionalMap(T, "reward", reward);
    hyperparameters = Require.optionalMap(T, "hyperparameters", hyperparameters);
    Require.nonBlank(T, "owner", owner);
    Require.nonNull(T, "createdAt", createdAt);
  }
}
