package dev.r1.trainer.job;

import dev.r1.model.train.LrSchedule;
import dev.r1.model.train.OptimizerConfig;
import dev.r1.training.grpo.AdvantageScale;
import dev.r1.training.grpo.GrpoConfig;
import dev.r1.training.grpo.GrpoTrainerConfig;
import dev.r1.training.grpo.LossAggregation;
import dev.r1.training.task.ChatPrompts;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalDouble;
import java.util.Set;

/**
 * A GRPO job's hyperparameters, read from the submitted job's map (snake_case keys as the gateway
 * documents them); every value has a default and a range, and errors name the key.
 */
record GrpoJobSpec(
    int groupSize,
    int batchPrompts,
    int maxSteps,
    double learningRate,
    int warmupSteps,
    int maxNewTokens,
    double temperature,
    double topP,
    int topK,
    double epsilonLow,
    double epsilonHigh,
    double beta,
    LossAggregation lossAggregation,
    AdvantageScale advantageScale,
    int maxStaleness,
    long seed,
    int checkpointEvery,
    int iterations,
    boolean dynamicSampling,
    boolean maskTruncated,
    Double importanceRatioCap,
    int microBatchSize,
    int digits,
    double weightDecay,
    double maxGradNorm,
    String systemPrompt) {

  static final Set<String> KEYS =
      Set.of(
          "group_size",
          "batch_prompts",
          "max_steps",
          "learning_rate",
          "warmup_steps",
          "max_new_tokens",
          "temperature",
          "top_p",
          "top_k",
          "epsilon_low",
          "epsilon_high",
          "beta",
          "loss_aggregation",
          "advantage_scale",
          "max_staleness",
          "seed",
          "checkpoint_every",
          "iterations",
          "dynamic_sampling",
          "mask_truncated",
          "importance_ratio_cap",
          "micro_batch_size",
          "digits",
          "weight_decay",
          "max_grad_norm");

  static GrpoJobSpec from(Map<String, Object> h) {
    Reader r = new Reader(h == null ? Map.of() : h);
    return new GrpoJobSpec(
        r.integer("group_size", 8, 2, 256),
        r.integer("batch_prompts", 8, 1, 4096),
        r.integer("max_steps", 20, 1, 1_000_000),
        r.number("learning_rate", 2e-4, 0, 1),
        r.integer("warmup_steps", 0, 0, 1_000_000),
        r.integer("max_new_tokens", 48, 1, 32768),
        r.number("temperature", 1.0, 1e-3, 10),
        r.number("top_p", 1.0, 1e-6, 1),
        r.integer("top_k", 0, 0, 1_000_000),
        r.number("epsilon_low", 0.2, 0, 0.999),
        r.number("epsilon_high", 0.28, 0, 10),
        r.number("beta", 0.0, 0, 100),
        LossAggregation.valueOf(
            r.choice(
                    "loss_aggregation",
                    "token_mean",
                    Set.of("sequence_mean", "token_mean", "constant_normalizer"))
                .toUpperCase(Locale.ROOT)),
        AdvantageScale.valueOf(
            r.choice("advantage_scale", "group", Set.of("group", "batch", "none"))
                .toUpperCase(Locale.ROOT)),
        r.integer("max_staleness", 1, 0, 64),
        r.integer("seed", 0, 0, Integer.MAX_VALUE),
        r.integer("checkpoint_every", 10, 1, 1_000_000),
        r.integer("iterations", 1, 1, 16),
        r.bool("dynamic_sampling", true),
        r.bool("mask_truncated", true),
        r.optionalNumber("importance_ratio_cap", 1, 1000),
        r.integer("micro_batch_size", 64, 1, 4096),
        r.integer("digits", 2, 1, 6),
        r.number("weight_decay", 0.0, 0, 1),
        r.number("max_grad_norm", 1.0, 0, 1e6),
        r.text("system_prompt", ChatPrompts.R1_SYSTEM_PROMPT));
  }

  GrpoTrainerConfig trainerConfig(int padId) {
    GrpoConfig loss =
        new GrpoConfig(
            epsilonLow,
            epsilonHigh,
            beta,
            lossAggregation,
            maxNewTokens,
            advantageScale,
            importanceRatioCap == null
                ? OptionalDouble.empty()
                : OptionalDouble.of(importanceRatioCap));
    LrSchedule schedule =
        new LrSchedule(learningRate, warmupSteps, maxSteps, LrSchedule.Shape.CONSTANT, 1.0);
    return new GrpoTrainerConfig(
        loss,
        new OptimizerConfig(0.9, 0.99, 1e-8, weightDecay, maxGradNorm),
        schedule,
        temperature,
        iterations,
        microBatchSize,
        dynamicSampling,
        maskTruncated,
        padId);
  }

  /** The hyperparameters as plain values, for events and logs. */
  Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("group_size", groupSize);
    m.put("batch_prompts", batchPrompts);
    m.put("max_steps", maxSteps);
    m.put("learning_rate", learningRate);
    m.put("max_staleness", maxStaleness);
    m.put("beta", beta);
    m.put("loss_aggregation", lossAggregation.name().toLowerCase(Locale.ROOT));
    return m;
  }

  /** Typed access with the key named in every error. */
  private record Reader(Map<String, Object> h) {

    Object get(String key) {
      return h.get(key);
    }

    int integer(String key, int dflt, int min, int max) {
      Object v = get(key);
      if (v == null) {
        return dflt;
      }
      if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
        throw new IllegalArgumentException(
            "hyperparameters." + key + " must be an integer, got " + v);
      }
      double d = n.doubleValue();
      if (d < min || d > max) {
        throw new IllegalArgumentException(
            "hyperparameters." + key + " must be in [" + min + ", " + max + "], got " + v);
      }
      return (int) d;
    }

    double number(String key, double dflt, double min, double max) {
      Object v = get(key);
      if (v == null) {
        return dflt;
      }
      if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
        throw new IllegalArgumentException(
            "hyperparameters." + key + " must be a number, got " + v);
      }
      double d = n.doubleValue();
      if (d < min || d > max) {
        throw new IllegalArgumentException(
            "hyperparameters." + key + " must be in [" + min + ", " + max + "], got " + d);
      }
      return d;
    }

    Double optionalNumber(String key, double min, double max) {
      return get(key) == null ? null : number(key, min, min, max);
    }

    boolean bool(String key, boolean dflt) {
      Object v = get(key);
      if (v == null) {
        return dflt;
      }
      if (!(v instanceof Boolean b)) {
        throw new IllegalArgumentException(
            "hyperparameters." + key + " must be true or false, got " + v);
      }
      return b;
    }

    String text(String key, String dflt) {
      Object v = get(key);
      if (v == null) {
        return dflt;
      }
      if (!(v instanceof String s) || s.length() > 4000) {
        throw new IllegalArgumentException(
            "hyperparameters." + key + " must be a string of at most 4000 characters, got " + v);
      }
      return s;
    }

    String choice(String key, String dflt, Set<String> allowed) {
      Object v = get(key);
      if (v == null) {
        return dflt;
      }
      String s = v.toString().toLowerCase(Locale.ROOT);
      if (!allowed.contains(s)) {
        throw new IllegalArgumentException(
            "hyperparameters." + key + " must be one of " + allowed + ", got " + v);
      }
      return s;
    }
  }
}
