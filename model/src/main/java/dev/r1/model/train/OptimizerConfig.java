package dev.r1.model.train;

/**
 * AdamW hyperparameters.
 *
 * @param beta1 first-moment decay (0.9)
 * @param beta2 second-moment decay (0.999; 0.95 is common for LLMs)
 * @param epsilon denominator guard (1e-8)
 * @param weightDecay decoupled weight decay on matrices (0.0-0.1)
 * @param maxGradNorm global gradient-norm clip, 0 for none (1.0)
 */
public record OptimizerConfig(
    double beta1, double beta2, double epsilon, double weightDecay, double maxGradNorm) {

  public OptimizerConfig {
    if (!(beta1 >= 0 && beta1 < 1)) {
      throw new IllegalArgumentException("beta1 must be in [0, 1), got " + beta1);
    }
    if (!(beta2 >= 0 && beta2 < 1)) {
      throw new IllegalArgumentException("beta2 must be in [0, 1), got " + beta2);
    }
    if (!(epsilon > 0)) {
      throw new IllegalArgumentException("epsilon must be positive, got " + epsilon);
    }
    if (!(weightDecay >= 0)) {
      throw new IllegalArgumentException("weightDecay must be >= 0, got " + weightDecay);
    }
    if (!(maxGradNorm >= 0)) {
      throw new IllegalArgumentException("maxGradNorm must be >= 0 (0 = off), got " + maxGradNorm);
    }
  }

  /** beta1 0.9, beta2 0.999, epsilon 1e-8, weight decay 0.01, clip at 1.0. */
  public static OptimizerConfig defaults() {
    return new OptimizerConfig(0.9, 0.999, 1e-8, 0.01, 1.0);
  }
}
