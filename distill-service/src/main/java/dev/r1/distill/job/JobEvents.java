package dev.r1.distill.job;

import dev.r1.contracts.EventLevel;
import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.Topics;
import dev.r1.distill.messaging.Publisher;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.atomic.AtomicLong;

/** Emits one job's events on {@link Topics#JOB_EVENTS} with source {@code distill-service}. */
final class JobEvents {

  static final String SOURCE = "distill-service";

  private final Publisher publisher;
  private final String jobId;
  private final AtomicLong sequence = new AtomicLong();

  JobEvents(Publisher publisher, String jobId) {
    this.publisher = publisher;
    this.jobId = jobId;
  }

  void emit(
      JobEventType type, EventLevel level, String message, Map<String, Double> metrics, Long step) {
    Map<String, Double> finite = new LinkedHashMap<>();
    if (metrics != null) {
      metrics.forEach(
          (k, v) -> {
            if (v != null && Double.isFinite(v)) {
              finite.put(k, v);
            }
          });
    }
    publisher.send(
        Topics.JOB_EVENTS,
        new JobEvent(
            JobEvent.SCHEMA_VERSION,
            jobId,
            UUID.randomUUID(),
            sequence.incrementAndGet(),
            SOURCE,
            type,
            level,
            message,
            finite,
            step,
            Instant.now()));
  }

  void info(JobEventType type, String message) {
    emit(type, EventLevel.INFO, message, Map.of(), null);
  }

  void info(JobEventType type, String message, Map<String, Double> metrics) {
    emit(type, EventLevel.INFO, message, metrics, null);
  }

  void step(long step, Map<String, Double> metrics) {
    emit(JobEventType.STEP_METRICS, EventLevel.INFO, "", metrics, step);
  }
}
