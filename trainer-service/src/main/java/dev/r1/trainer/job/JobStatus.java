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
 * @param trainedGroupCount how many groups the job trained on
 * @param trainedGroups ids of the most recent groups trained on (at most {@value
 *     #RECENT_TRAINED_GROUPS}), oldest first; every one is on the training-batches topic
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
    long trainedGroupCount,
    List<String> trainedGroups,
    Map<String, Long> droppedGroups,
    String message) {

  /** How many trained group ids a status lists: a long job's memory must not grow per step. */
  public static final int RECENT_TRAINED_GROUPS = 10_000;
}
