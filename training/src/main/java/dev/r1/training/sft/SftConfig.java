package dev.r1.training.sft;

import dev.r1.model.train.LrSchedule;
import dev.r1.model.train.OptimizerConfig;
import java.util.Objects;

/**
 * Settings of supervised fine-tuning.
 *
 * @param batchSize examples per micro-batch
 * @param gradientAccumulation micro-batches per optimizer step (the effective batch is their
 *     product)
 * @param maxSteps optimizer steps to take
 * @param schedule learning rate per optimizer step (warmup + cosine decay is usual)
 * @param optimizer AdamW settings
 * @param padding where padding goes
 * @param evalEvery evaluate the held-out loss every this many steps (0 = only at the end)
 * @param seed shuffles the examples (each epoch is a new permutation)
 * @param padId the id used for padding (never trained on or attended to)
 */
public record SftConfig(
    int batchSize,
    int gradientAccumulation,
    int maxSteps,
    LrSchedule schedule,
    OptimizerConfig optimizer,
    Padding padding,
    int evalEvery,
    long seed,
    int padId) {

  public SftConfig {
    if (batchSize < 1) {
      throw new IllegalArgumentException("batchSize must be >= 1, got " + batchSize);
    }
    if (gradientAccumulation < 1) {
      throw new IllegalArgumentException(
          "gradientAccumulation must be >= 1, got " + gradientAccumulation);
    }
    if (maxSteps < 0) {
      throw new IllegalArgumentException("maxSteps must be >= 0, got " + maxSteps);
    }
    if (evalEvery < 0) {
      throw new IllegalArgumentException("evalEvery must be >= 0, got " + evalEvery);
    }
    Objects.requireNonNull(schedule, "schedule");
    Objects.requireNonNull(optimizer, "optimizer");
    Objects.requireNonNull(padding, "padding");
  }

  /**
   * Batch 16, no accumulation, warmup of 10% then cosine decay to 10% of {@code lr}, AdamW defaults
   * without weight decay, right padding, evaluation only at the end.
   */
  public static SftConfig of(int maxSteps, double lr, int padId) {
    return new SftConfig(
        16,
        1,
        maxSteps,
        new LrSchedule(lr, Math.max(1, maxSteps / 10), maxSteps, LrSchedule.Shape.COSINE, 0.1),
        new OptimizerConfig(0.9, 0.99, 1e-8, 0.0, 1.0),
        Padding.RIGHT,
        0,
        0,
        padId);
  }

  public SftConfig withBatch(int size, int accumulation) {
    return new SftConfig(
        size, accumulation, maxSteps, schedule, optimizer, padding, evalEvery, seed, padId);
  }

  public SftConfig withPadding(Padding p) {
    return new SftConfig(
        batchSize, gradientAccumulation, maxSteps, schedule, optimizer, p, evalEvery, seed, padId);
  }

  public SftConfig withEvalEvery(int every) {
    return new SftConfig(
        batchSize,
        gradientAccumulation,
        maxSteps,
        schedule,
        optimizer,
        padding,
        every,
        seed,
        padId);
  }

  public SftConfig withSeed(long s) {
    return new SftConfig(
        batchSize,
        gradientAccumulation,
        maxSteps,
        schedule,
        optimizer,
        padding,
        evalEvery,
        s,
        padId);
  }
}
