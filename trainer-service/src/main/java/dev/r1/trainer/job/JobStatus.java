package dev.r1.trainer.job;

import java.util.List;
import java.util.Map;

/**
 * A job's progress as this trainer sees it.
 *
 * @param jobId the job
 * @param state running, succeeded, failed or cancelled
 * @param step completed steps
 * @param maxSteps the steps the job asked for
 * @param policyVersion the newest published policy version
 * @param lastMetrics the last step's metrics
 * @param trainedGroups ids of every group trained on, in order
 * @param droppedGroups groups not trained on, by reason
 * @param message the last status message (the failure's reason when failed)
 */
public record JobStatus(
    String jobId,
    String state,
    long step,
    long maxSteps,
    long policyVersion,
    Map<String, Double> lastMetrics,
    List<String> trainedGroups,
    Map<String, Long> droppedGroups,
    String message) {}
