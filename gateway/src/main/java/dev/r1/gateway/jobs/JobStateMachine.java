package dev.r1.gateway.jobs;

import dev.r1.contracts.JobEventType;
import java.util.Optional;

/**
 * The job lifecycle. Workers move a job forward with lifecycle events; anything else is ignored:
 *
 * <pre>
 * validating --QUEUED--> queued --RUNNING--> running --SUCCEEDED|FAILED|CANCELLED--> (terminal)
 * validating|queued --RUNNING--> running
 * validating|queued|running --PAUSED--> paused --RESUMED--> running
 * any non-terminal --SUCCEEDED|FAILED|CANCELLED--> terminal
 * </pre>
 *
 * Terminal states are final; a move backwards (QUEUED after RUNNING, RUNNING after SUCCEEDED) is an
 * out-of-order event and changes nothing. Observations (STEP_METRICS, CHECKPOINT, MESSAGE) and
 * CREATED/VALIDATING never move a job.
 */
final class JobStateMachine {

  private JobStateMachine() {}

  /** The status {@code type} moves a job in {@code current} to, or empty if it does not move it. */
  static Optional<JobStatus> next(JobStatus current, JobEventType type) {
    if (current.terminal()) {
      return Optional.empty();
    }
    switch (type) {
      case QUEUED:
        return current == JobStatus.VALIDATING ? Optional.of(JobStatus.QUEUED) : Optional.empty();
      case RUNNING:
        return current == JobStatus.VALIDATING || current == JobStatus.QUEUED
            ? Optional.of(JobStatus.RUNNING)
            : Optional.empty();
      case PAUSED:
        return current == JobStatus.PAUSED ? Optional.empty() : Optional.of(JobStatus.PAUSED);
      case RESUMED:
        return current == JobStatus.PAUSED ? Optional.of(JobStatus.RUNNING) : Optional.empty();
      case SUCCEEDED:
        return Optional.of(JobStatus.SUCCEEDED);
      case FAILED:
        return Optional.of(JobStatus.FAILED);
      case CANCELLED:
        return Optional.of(JobStatus.CANCELLED);
      default:
        return Optional.empty();
    }
  }

  /** Whether {@code type} is a lifecycle event (one that may move a job). */
  static boolean lifecycle(JobEventType type) {
    switch (type) {
      case QUEUED:
      case RUNNING:
      case PAUSED:
      case RESUMED:
      case SUCCEEDED:
      case FAILED:
      case CANCELLED:
        return true;
      default:
        return false;
    }
  }
}
