package dev.r1.training.grpo;

import java.util.Map;

/**
 * What one GRPO update saw and did, named as TRL logs it. Loss-side values (kl, clip ratios,
 * entropy) are means over the trained completion tokens of all iterations; they are NaN when the
 * update was skipped.
 *
 * @param policyVersion the trainer's policy version after this update
 * @param optimizerSteps optimizer steps taken so far
 * @param skipped true when no optimizer step ran (every group filtered out or every token masked)
 * @param loss the loss of the first iteration
 * @param rewardMean mean total reward over all completions
 * @param rewardStd mean over groups of the group's reward standard deviation (TRL's reward_std)
 * @param rewardComponentMeans each reward function's mean value
 * @param fracRewardZeroStd share of groups whose rewards are all equal
 * @param groupsTrained groups left after dynamic sampling
 * @param advantageMean mean advantage over all completions
 * @param advantageStd standard deviation of the advantages
 * @param advantageMin smallest advantage
 * @param advantageMax largest advantage
 * @param kl mean k3 KL to the reference policy (NaN when beta is 0)
 * @param clipRatioLow share of tokens clipped below (ratio under 1 - epsilonLow, A < 0)
 * @param clipRatioHigh share of tokens clipped above (ratio over 1 + epsilonHigh, A > 0)
 * @param clipRatioRegion low + high
 * @param entropy mean per-token entropy of the policy over trained completion tokens
 * @param completionLengthMean mean completion length in tokens
 * @param completionLengthMax longest completion
 * @param clippedRatio share of completions that hit the length limit without a stop token
 * @param gradNorm gradient norm before clipping of the last optimizer step (NaN when skipped)
 * @param learningRate the rate of the last optimizer step
 * @param tokensPerSecond real tokens (prompt + completion) through forward/backward per second
 * @param policyLagMean mean of (trainer version - sample version)
 * @param policyLagMax largest policy lag
 * @param updateSeconds wall time of the update
 */
public record GrpoStepMetrics(
    long policyVersion,
    long optimizerSteps,
    boolean skipped,
    double loss,
    double rewardMean,
    double rewardStd,
    Map<String, Double> rewardComponentMeans,
    double fracRewardZeroStd,
    int groupsTrained,
    double advantageMean,
    double advantageStd,
    double advantageMin,
    double advantageMax,
    double kl,
    double clipRatioLow,
    double clipRatioHigh,
    double clipRatioRegion,
    double entropy,
    double completionLengthMean,
    int completionLengthMax,
    double clippedRatio,
    double gradNorm,
    double learningRate,
    double tokensPerSecond,
    double policyLagMean,
    long policyLagMax,
    double updateSeconds) {

  /** A one-line summary for logs. */
  public String summary() {
    return String.format(
        java.util.Locale.ROOT,
        "v%d reward %.3f (std %.3f) %s zero-std %.2f adv [%.2f, %.2f] kl %.4f clip %.3f"
            + " entropy %.3f len %.1f/%d clipped %.2f grad %.3f lr %.2e %.0f tok/s lag %.1f %.2fs%s",
        policyVersion,
        rewardMean,
        rewardStd,
        rewardComponentMeans,
        fracRewardZeroStd,
        advantageMin,
        advantageMax,
        kl,
        clipRatioRegion,
        entropy,
        completionLengthMean,
        completionLengthMax,
        clippedRatio,
        gradNorm,
        learningRate,
        tokensPerSecond,
        policyLagMean,
        updateSeconds,
        skipped ? " (skipped)" : "");
  }
}
