package dev.r1.training.sft;

/**
 * What one SFT optimizer step did.
 *
 * @param step 1-based optimizer step
 * @param loss mean masked NLL of the step's micro-batches (nats per response token)
 * @param learningRate the rate applied
 * @param gradNorm global gradient norm before clipping
 * @param tokensPerSecond real (non-padding) tokens processed per second in this step
 * @param epoch passes over the training set so far (fractional)
 * @param evalLoss held-out loss measured after this step, NaN when not measured
 */
public record SftStepMetrics(
    int step,
    double loss,
    double learningRate,
    double gradNorm,
    double tokensPerSecond,
    double epoch,
    double evalLoss) {}
