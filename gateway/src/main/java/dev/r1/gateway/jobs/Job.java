package dev.r1.gateway.jobs;

import java.time.Instant;
import java.util.Map;

/** A row of the job registry. */
record Job(
    String id,
    long seq,
    String owner,
    String method,
    String model,
    String datasetId,
    Map<String, Object> reward,
    Map<String, Object> hyperparameters,
    JobStatus status,
    JobStatus pausedFrom,
    String error,
    long trainedSteps,
    Instant createdAt,
    Instant updatedAt,
    Instant finishedAt) {}
