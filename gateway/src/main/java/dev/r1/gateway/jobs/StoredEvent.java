package dev.r1.gateway.jobs;

import java.time.Instant;
import java.util.Map;

/** A row of the job event log. */
record StoredEvent(
    String eventId,
    long seq,
    String jobId,
    String source,
    long sequence,
    String type,
    String level,
    String message,
    Map<String, Object> metrics,
    Long step,
    boolean applied,
    Instant createdAt) {}
