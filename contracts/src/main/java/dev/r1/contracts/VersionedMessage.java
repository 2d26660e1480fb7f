package dev.r1.contracts;

/**
 * What every message on an R1 topic carries: the schema version it was written with and the job it
 * belongs to.
 *
 * <p>The record types that implement this are the whole public payload vocabulary of the platform:
 * {@link PromptTask}, {@link SampledGroup}, {@link ScoredGroup}, {@link TrainingBatch}, {@link
 * PolicyPublished}, {@link JobEvent}, {@link JobSubmitted} and {@link DeadLetter}. Each declares a
 * {@code SCHEMA_VERSION} constant: the version its producers write and the newest its consumers
 * accept.
 */
public interface VersionedMessage {

  /** The schema version this message was written with (1 for every type today). */
  int schemaVersion();

  /**
   * The job this message belongs to. Never null, except on a {@link DeadLetter} whose payload was
   * too broken to name one.
   */
  String jobId();
}
