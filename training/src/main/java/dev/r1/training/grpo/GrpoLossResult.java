package dev.r1.training.grpo;

import ai.djl.ndarray.NDArray;

/**
 * The GRPO loss and its detached diagnostics. All fractions and means are over the masked
 * (completion) tokens of the batch; they are 0 when the mask is empty.
 *
 * @param loss the scalar loss, differentiable with respect to the current log-probs; it lives in
 *     the manager of the {@code logp} passed to {@link GrpoLoss#compute}
 * @param lossValue the loss as a double
 * @param tokenCount number of masked tokens
 * @param klMean mean k3 KL {@code exp(ref - logp) - (ref - logp) - 1}; NaN without reference
 *     log-probs
 * @param clipFractionLow share of tokens with {@code ratio < 1 - epsilonLow} and {@code A < 0} (the
 *     clip is active and the gradient is zero)
 * @param clipFractionHigh share of tokens with {@code ratio > 1 + epsilonHigh} and {@code A > 0}
 * @param clipFractionRegion {@code clipFractionLow + clipFractionHigh}
 * @param importanceRatioMean mean of {@code exp(logp - oldLogp)}
 * @param importanceRatioMin smallest masked ratio (1 when the mask is empty)
 * @param importanceRatioMax largest masked ratio (1 when the mask is empty)
 * @param importanceWeightMean mean truncated importance weight {@code min(exp(oldLogp -
 *     behaviourLogp), cap)}; NaN without behaviour log-probs
 * @param importanceWeightTruncatedFraction share of tokens whose weight was capped; NaN without
 *     behaviour log-probs
 */
public record GrpoLossResult(
    NDArray loss,
    double lossValue,
    long tokenCount,
    double klMean,
    double clipFractionLow,
    double clipFractionHigh,
    double clipFractionRegion,
    double importanceRatioMean,
    double importanceRatioMin,
    double importanceRatioMax,
    double importanceWeightMean,
    double importanceWeightTruncatedFraction) {}
