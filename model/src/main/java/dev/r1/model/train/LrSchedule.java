package dev.r1.model.train;

/**
 * Learning rate per step: linear warmup to the peak, then constant, linear or cosine decay to
 * {@code minRatio * peak} at {@code totalSteps}.
 *
 * @param peak the learning rate after warmup
 * @param warmupSteps steps of linear warmup (0 for none)
 * @param totalSteps the step at which decay ends
 * @param shape CONSTANT, LINEAR or COSINE
 * @param minRatio the floor of the decay as a fraction of the peak
 */
public record LrSchedule(
    double peak, int warmupSteps, int totalSteps, Shape shape, double minRatio) {

  /** How the rate decays after warmup. */
  public enum Shape {
    CONSTANT,
    LINEAR,
    COSINE
  }

  public LrSchedule {
    if (!(peak >= 0)) {
      throw new IllegalArgumentException("learning rate must be >= 0, got " + peak);
    }
    if (warmupSteps < 0 || totalSteps < 1) {
      throw new IllegalArgumentException(
          "warmupSteps must be >= 0 and totalSteps >= 1, got " + warmupSteps + ", " + totalSteps);
    }
    if (!(minRatio >= 0 && minRatio <= 1)) {
      throw new IllegalArgumentException("minRatio must be in [0, 1], got " + minRatio);
    }
  }

  public static LrSchedule constant(double lr) {
    return new LrSchedule(lr, 0, 1, Shape.CONSTANT, 1);
  }

  /** The rate for a 0-based step. */
  public double at(long step) {
    if (step < warmupSteps) {
      return peak * (step + 1) / warmupSteps;
    }
    if (shape == Shape.CONSTANT) {
      return peak;
    }
    double span = Math.max(1, totalSteps - warmupSteps);
    double progress = Math.min(1.0, (step - warmupSteps) / span);
    double factor = shape == Shape.LINEAR ? 1 - progress : 0.5 * (1 + Math.cos(Math.PI * progress));
    return peak * (minRatio + (1 - minRatio) * factor);
  }
}
