package dev.r1.contracts;

import java.time.Instant;
import java.util.Map;
import java.util.UUID;

/**
 * Something that happened to a job: a lifecycle change, a step's metrics, a checkpoint, a message.
 * Value type of {@link Topics#JOB_EVENTS}; key {@link Keys#of(JobEvent)} (the job id, so a job's
 * events are ordered).
 *
 * <p>Produced by the gateway (CREATED, CANCELLED, PAUSED, RESUMED on user request), the
 * trainer-service and the distill-service (everything else); consumed by the gateway (job status,
 * event stream to clients) and the trainer/distill services (user requests). Consumers deduplicate
 * by {@link #eventId()}; {@link #sequence()} orders the events of one (job, source).
 *
 * @param schemaVersion {@link #SCHEMA_VERSION} when written by this code
 * @param jobId the job
 * @param eventId random UUID, the idempotency key (a retried send carries the same id)
 * @param sequence counter per (jobId, source), >= 0, strictly increasing
 * @param source the producing service, e.g. {@code gateway}, {@code trainer-service}
 * @param type what happened
 * @param level severity
 * @param message human-readable text (may be empty, never null)
 * @param metrics named numbers (loss, reward_mean, kl, clip_frac, tokens_per_s...); finite; never
 *     null
 * @param step the optimiser step the event refers to, or null
 * @param timestamp when it happened
 */
public record JobEvent(
    int schemaVersion,
    String jobId,
    UUID eventId,
    long sequence,
    String source,
    JobEventType type,
    EventLevel level,
    String message,
    Map<String, Double> metrics,
    Long step,
    Instant timestamp)
    implements VersionedMessage {

  /**
   * The schema version this code writes and the newest it reads. 2 added the event types {@code
   * STAGE_STARTED} and {@code STAGE_COMPLETED} (pipeline jobs); version 1 messages still read.
   */
  public static final int SCHEMA_VERSION = 2;

  private static final String T = "JobEvent";

  public JobEvent {
    Require.schemaVersion(T, schemaVersion);
    Require.jobId(T, jobId);
    Require.nonNull(T, "eventId", eventId);
    Require.nonNegative(T, "sequence", sequence);
    Require.nonBlank(T, "source", source);
    Require.nonNull(T, "type", type);
    Require.nonNull(T, "level", level);
    message = message == null ? "" : message;
    metrics = Require.finiteMetrics(T, "metrics", metrics);
    if (step != null) {
      Require.nonNegative(T, "step", step);
    }
    Require.nonNull(T, "timestamp", timestamp);
  }

  /** A new event with a random id, no metrics and no step. */
  public static JobEvent of(
      String jobId,
      long sequence,
      String source,
      JobEventType type,
      EventLevel level,
      String message,
      Instant timestamp) {
    return new JobEvent(
        SCHEMA_VERSION,
        jobId,
        UUID.randomUUID(),
        sequence,
        source,
        type,
        level,
        message,
        Map.of(),
        null,
        timestamp);
  }

  /** A STEP_METRICS event with a random id. */
  public static JobEvent stepMetrics(
      String jobId,
      long sequence,
      String source,
      long step,
      Map<String, Double> metrics,
      Instant timestamp) {
    return new JobEvent(
        SCHEMA_VERSION,
        jobId,
        UUID.randomUUID(),
        sequence,
        source,
        JobEventType.STEP_METRICS,
        EventLevel.INFO,
        "",
        metrics,
        step,
        timestamp);
  }
}
