package dev.r1.training.grpo;

import dev.r1.model.train.LrSchedule;
import dev.r1.model.train.OptimizerConfig;
import java.util.Objects;

/**
 * Settings of {@link GrpoTrainer}.
 *
 * @param loss the objective (clip ranges, KL weight, aggregation, advantage scaling, importance
 *     ratio cap)
 * @param optimizer AdamW settings
 * @param schedule learning rate per optimizer step
 * @param temperature the sampling temperature; log-probs are computed from logits / temperature
 * @param iterations GRPO's mu: optimizer steps over the same batch per update (1 = on-policy)
 * @param microBatchSize completions per forward/backward pass; gradients accumulate over the
 *     micro-batches of one optimizer step
 * @param dynamicSampling drop groups whose rewards are all equal (DAPO)
 * @param maskTruncated overlong filtering: completions that hit the length limit without a stop
 *     token contribute no loss (DAPO)
 * @param padId the padding id
 */
public record GrpoTrainerConfig(
    GrpoConfig loss,
    OptimizerConfig optimizer,
    LrSchedule schedule,
    double temperature,
    int iterations,
    int microBatchSize,
    boolean dynamicSampling,
    boolean maskTruncated,
    int padId) {

  public GrpoTrainerConfig {
    Objects.requireNonNull(loss, "loss");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(schedule, "schedule");
    if (!(temperature > 0) || Double.isInfinite(temperature)) {
      throw new IllegalArgumentException(
          "temperature must be > 0 (greedy samples cannot be trained on), got " + temperature);
    }
    if (iterations < 1) {
      throw new IllegalArgumentException("iterations must be >= 1, got " + iterations);
    }
    if (microBatchSize < 1) {
      throw new IllegalArgumentException("microBatchSize must be >= 1, got " + microBatchSize);
    }
  }

  /**
   * DAPO-style defaults for small models: token-mean loss, clip 0.2/0.28, no KL, group scaling,
   * constant learning rate {@code lr}, AdamW (0.9, 0.99) without weight decay, clip norm 1, one
   * iteration, micro-batches of 64, dynamic sampling and overlong masking on, temperature 1.
   */
  public static GrpoTrainerConfig defaults(double lr, int padId) {
    return new GrpoTrainerConfig(
        GrpoConfig.dapo(),
        new OptimizerConfig(0.9, 0.99, 1e-8, 0.0, 1.0),
        LrSchedule.constant(lr),
        1.0,
        1,
        64,
        true,
        true,
        padId);
  }

  public GrpoTrainerConfig withLoss(GrpoConfig l) {
    return new GrpoTrainerConfig(
        l,
        optimizer,
        schedule,
        temperature,
        iterations,
        microBatchSize,
        dynamicSampling,
        maskTruncated,
        padId);
  }

  public GrpoTrainerConfig withIterations(int mu) {
    return new GrpoTrainerConfig(
        loss,
        optimizer,
        schedule,
        temperature,
        mu,
        microBatchSize,
        dynamicSampling,
        maskTruncated,
        padId);
  }

  public GrpoTrainerConfig withMicroBatchSize(int size) {
    return new GrpoTrainerConfig(
        loss,
        optimizer,
        schedule,
        temperature,
        iterations,
        size,
        dynamicSampling,
        maskTruncated,
        padId);
  }

  public GrpoTrainerConfig withFilters(boolean dynamic, boolean overlong) {
    return new GrpoTrainerConfig(
        loss,
        optimizer,
        schedule,
        temperature,
        iterations,
        microBatchSize,
        dynamic,
        overlong,
        padId);
  }

  public GrpoTrainerConfig withSchedule(LrSchedule s) {
    return new GrpoTrainerConfig(
        loss,
        optimizer,
        s,
        temperature,
        iterations,
        microBatchSize,
        dynamicSampling,
        maskTruncated,
        padId);
  }

  public GrpoTrainerConfig withTemperature(double t) {
    return new GrpoTrainerConfig(
        loss,
        optimizer,
        schedule,
        t,
        iterations,
        microBatchSize,
        dynamicSampling,
        maskTruncated,
        padId);
  }
}
