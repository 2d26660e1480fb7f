package dev.r1.training.sft;

import java.util.List;

/**
 * The outcome of an SFT run.
 *
 * @param steps every step's metrics in order
 * @param initialEvalLoss held-out loss before training (NaN without a held-out set)
 * @param finalEvalLoss held-out loss after training (NaN without a held-out set)
 * @param seconds wall time of the run
 */
public record SftResult(
    List<SftStepMetrics> steps, double initialEvalLoss, double finalEvalLoss, double seconds) {

  /** The last step's training loss (NaN when no step ran). */
  public double finalTrainLoss() {
    return steps.isEmpty() ? Double.NaN : steps.get(steps.size() - 1).loss();
  }
}
