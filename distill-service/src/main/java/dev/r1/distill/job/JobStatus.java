package dev.r1.distill.job;

import java.util.Map;

/**
 * A job's progress as this service sees it.
 *
 * @param jobId the job
 * @param method sft, distill, eval or pipeline
 * @param state queued, running, succeeded, failed or cancelled
 * @param message the latest progress line or outcome
 * @param results the final metrics (empty until the job succeeded)
 */
public record JobStatus(
    String jobId, String method, String state, String message, Map<String, Double> results) {}
