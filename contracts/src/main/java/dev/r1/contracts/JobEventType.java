package dev.r1.contracts;

/** What happened to a job. Lifecycle types form the state machine; the rest are observations. */
public enum JobEventType {
  /** The gateway registered the job (spec stored in the job registry). */
  CREATED,
  /** The trainer is checking the spec, model and dataset. */
  VALIDATING,
  /** Validated; waiting for capacity. */
  QUEUED,
  /** Training (or the distill/eval job) is running. */
  RUNNING,
  /** Metrics of one optimiser step ({@link JobEvent#metrics()} and {@link JobEvent#step()}). */
  STEP_METRICS,
  /** A checkpoint was written (the message carries its version/URI). */
  CHECKPOINT,
  /** Finished successfully (terminal). */
  SUCCEEDED,
  /** Finished with an error (terminal; message says why). */
  FAILED,
  /** Cancelled by a user (the gateway's request) or acknowledged by the trainer (terminal). */
  CANCELLED,
  /** Paused by a user; sampling and updates stop, state is kept. */
  PAUSED,
  /** Resumed after a pause. */
  RESUMED,
  /** Free-form log line worth showing to the user. */
  MESSAGE,
  /**
   * A pipeline job started a stage: the message names it ("Stage 2 of 6 (grpo) ..."), {@code
   * metrics.stage} is its 1-based index. Since JobEvent schema version 2.
   */
  STAGE_STARTED,
  /**
   * A pipeline job finished a stage: {@code metrics.stage}, {@code policy_version} (the stage's
   * output model version) and the stage's evaluation ({@code eval.pass_at_1}, {@code
   * eval.cons_at_k}, {@code eval.format_rate}, {@code eval.language_rate}, {@code
   * eval.mean_length}, {@code eval.reflection_rate}). Since JobEvent schema version 2.
   */
  STAGE_COMPLETED;

  /** True for SUCCEEDED, FAILED and CANCELLED. */
  public boolean terminal() {
    return this == SUCCEEDED || this == FAILED || this == CANCELLED;
  }
}
