package dev.r1.training.pipeline;

import dev.r1.training.recipe.TinyArithmeticRecipe;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Settings of the R1 pipeline (cold start -> GRPO -> rejection sampling SFT -> GRPO -> distillation
 * -> evaluation) at tiny scale, with two presets: {@code quick} and {@code default}. Measured
 * through the services on a shared, heavily loaded 2-core machine: the earlier, larger quick preset
 * took 8 minutes; in process the default took 5 minutes. On a faster 2-core host (2026-11-29)
 * {@code ./r1 run} took 2m40s and {@code --quick} 1m51s, the platform's start included. Every field
 * can be overridden by a hyperparameter of the same name in snake_case ({@link #from}); defaults
 * follow {@link TinyArithmeticRecipe}.
 *
 * @param preset quick or default
 * @param digits operand digits of the built-in task
 * @param seed task, initialisation and sampling seed
 * @param teacherHidden hidden size of the teacher (0 = keep the given model's architecture)
 * @param teacherLayers decoder layers of the teacher
 * @param studentHidden hidden size of the distilled student
 * @param studentLayers decoder layers of the student
 * @param coldStartRows curated worked solutions of the cold start (the article's "few thousand")
 * @param coldStartSteps SFT steps of the cold start
 * @param sftLearningRate peak learning rate of the cold start and the distillation
 * @param sftBatch SFT batch size
 * @param grpo1Steps steps of the first GRPO stage
 * @param grpo2Steps steps of the second GRPO stage
 * @param promptsPerStep prompts per GRPO step
 * @param groupSize completions per prompt in GRPO
 * @param maxNewTokens generation limit everywhere
 * @param temperature sampling temperature of GRPO, rejection sampling and evaluation
 * @param grpoLearningRate GRPO learning rate (after warmup)
 * @param rsPrompts prompts sampled for rejection sampling (and again for distillation)
 * @param rsSamples k, samples per prompt in rejection sampling
 * @param rsMaxPerPrompt traces kept per prompt
 * @param rsSftSteps SFT steps on the rejection-sampled data (continuing the RL model)
 * @param rsSftLearningRate their learning rate
 * @param generalShare share of general rows mixed into the rejection-sampling dataset
 * @param distillSteps SFT steps of the student
 * @param stageEvalPrompts held-out prompts of the evaluation after each stage
 * @param stageEvalSamples samples per prompt of the evaluation after each stage
 * @param evalPrompts held-out prompts of the final evaluation
 * @param evalSamples samples per prompt of the final evaluation (cons@k's k)
 */
public record PipelineConfig(
    String preset,
    int digits,
    long seed,
    int teacherHidden,
    int teacherLayers,
    int studentHidden,
    int studentLayers,
    int coldStartRows,
    int coldStartSteps,
    double sftLearningRate,
    int sftBatch,
    int grpo1Steps,
    int grpo2Steps,
    int promptsPerStep,
    int groupSize,
    int maxNewTokens,
    double temperature,
    double grpoLearningRate,
    int rsPrompts,
    int rsSamples,
    int rsMaxPerPrompt,
    int rsSftSteps,
    double rsSftLearningRate,
    double generalShare,
    int distillSteps,
    int stageEvalPrompts,
    int stageEvalSamples,
    int evalPrompts,
    int evalSamples) {

  /** The stage names in order (1-based stage index = position + 1). */
  public static final java.util.List<String> STAGES =
      java.util.List.of("cold_start", "grpo", "rejection_sft", "grpo", "distill", "eval");

  /** The default preset (2m40s to ~8 minutes on 2 cores, depending on the machine). */
  public static PipelineConfig defaults() {
    return new PipelineConfig(
        "default",
        TinyArithmeticRecipe.DIGITS,
        7,
        96,
        2,
        48,
        2,
        4000,
        TinyArithmeticRecipe.SFT_STEPS,
        3e-3,
        32,
        80,
        40,
        TinyArithmeticRecipe.PROMPTS_PER_STEP,
        TinyArithmeticRecipe.GROUP_SIZE,
        TinyArithmeticRecipe.MAX_NEW_TOKENS,
        TinyArithmeticRecipe.TEMPERATURE,
        TinyArithmeticRecipe.GRPO_LEARNING_RATE,
        1000,
        4,
        2,
        120,
        3e-4,
        0.0,
        600,
        48,
        4,
        100,
        16);
  }

  /** The quick preset (about 2 to 2.5 minutes on 2 cores, platform start included). */
  public static PipelineConfig quick() {
    return defaults()
        .with(
            Map.of(
                "preset", "quick",
                "grpo1_steps", 40,
                "grpo2_steps", 15,
                "rs_prompts", 500,
                "rs_sft_steps", 30,
                "distill_steps", 150,
                // held-out pass@1 after each stage from 64 x 8 samples: the cold start -> GRPO
                // gain (+3 to +8 points) must stand out of the noise (24 x 4 did not)
                "stage_eval_prompts", 64,
                "stage_eval_samples", 8,
                "eval_prompts", 48));
  }

  /** A preset by name, then the overrides in {@code hyperparameters} (unknown keys rejected). */
  public static PipelineConfig from(Map<String, Object> hyperparameters) {
    Map<String, Object> h = hyperparameters == null ? Map.of() : hyperparameters;
    Object preset = h.getOrDefault("preset", "default");
    PipelineConfig base =
        switch (String.valueOf(preset).toLowerCase(Locale.ROOT)) {
          case "quick" -> quick();
          case "default" -> defaults();
          default ->
              throw new IllegalArgumentException(
                  "hyperparameters.preset must be quick or default, got " + preset);
        };
    Map<String, Object> rest = new LinkedHashMap<>(h);
    rest.remove("preset");
    return base.with(rest);
  }

  /** The hyperparameter names {@link #from} accepts besides {@code preset}. */
  public static Set<String> keys() {
    return defaults().asMap().keySet();
  }

  /** This config with some fields replaced (snake_case names; errors name the key). */
  public PipelineConfig with(Map<String, Object> overrides) {
    Map<String, Object> m = asMap();
    for (Map.Entry<String, Object> e : overrides.entrySet()) {
      if (!m.containsKey(e.getKey())) {
        throw new IllegalArgumentException(
            "hyperparameters." + e.getKey() + " is not a pipeline setting; known: " + m.keySet());
      }
      m.put(e.getKey(), e.getValue());
    }
    Reader r = new Reader(m);
    return new PipelineConfig(
        String.valueOf(m.get("preset")),
        r.integer("digits", 1, 6),
        r.integer("seed", 0, Integer.MAX_VALUE),
        r.integer("teacher_hidden", 0, 4096),
        r.integer("teacher_layers", 1, 64),
        r.integer("student_hidden", 8, 4096),
        r.integer("student_layers", 1, 64),
        r.integer("cold_start_rows", 1, 20000),
        r.integer("cold_start_steps", 1, 1_000_000),
        r.number("sft_learning_rate", 0, 1),
        r.integer("sft_batch", 1, 4096),
        r.integer("grpo1_steps", 1, 1_000_000),
        r.integer("grpo2_steps", 1, 1_000_000),
        r.integer("prompts_per_step", 1, 4096),
        r.integer("group_size", 2, 256),
        r.integer("max_new_tokens", 1, 32768),
        r.number("temperature", 1e-3, 10),
        r.number("grpo_learning_rate", 0, 1),
        r.integer("rs_prompts", 1, 20000),
        r.integer("rs_samples", 1, 256),
        r.integer("rs_max_per_prompt", 1, 256),
        r.integer("rs_sft_steps", 1, 1_000_000),
        r.number("rs_sft_learning_rate", 0, 1),
        r.number("general_share", 0, 0.9),
        r.integer("distill_steps", 1, 1_000_000),
        r.integer("stage_eval_prompts", 1, 10000),
        r.integer("stage_eval_samples", 1, 256),
        r.integer("eval_prompts", 1, 10000),
        r.integer("eval_samples", 1, 256));
  }

  /** Every field by its snake_case name. */
  public Map<String, Object> asMap() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("preset", preset);
    m.put("digits", digits);
    m.put("seed", seed);
    m.put("teacher_hidden", teacherHidden);
    m.put("teacher_layers", teacherLayers);
    m.put("student_hidden", studentHidden);
    m.put("student_layers", studentLayers);
    m.put("cold_start_rows", coldStartRows);
    m.put("cold_start_steps", coldStartSteps);
    m.put("sft_learning_rate", sftLearningRate);
    m.put("sft_batch", sftBatch);
    m.put("grpo1_steps", grpo1Steps);
    m.put("grpo2_steps", grpo2Steps);
    m.put("prompts_per_step", promptsPerStep);
    m.put("group_size", groupSize);
    m.put("max_new_tokens", maxNewTokens);
    m.put("temperature", temperature);
    m.put("grpo_learning_rate", grpoLearningRate);
    m.put("rs_prompts", rsPrompts);
    m.put("rs_samples", rsSamples);
    m.put("rs_max_per_prompt", rsMaxPerPrompt);
    m.put("rs_sft_steps", rsSftSteps);
    m.put("rs_sft_learning_rate", rsSftLearningRate);
    m.put("general_share", generalShare);
    m.put("distill_steps", distillSteps);
    m.put("stage_eval_prompts", stageEvalPrompts);
    m.put("stage_eval_samples", stageEvalSamples);
    m.put("eval_prompts", evalPrompts);
    m.put("eval_samples", evalSamples);
    return m;
  }

  /** Typed access naming the key in every error. */
  private record Reader(Map<String, Object> m) {
    int integer(String key, int min, int max) {
      Object v = m.get(key);
      if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
        throw new IllegalArgumentException(
            "hyperparameters." + key + " must be an integer, got " + v);
      }
      long l = n.longValue();
      if (l < min || l > max) {
        throw new IllegalArgumentException(
            "hyperparameters." + key + " must be in [" + min + ", " + max + "], got " + l);
      }
      return (int) l;
    }

    double number(String key, double min, double max) {
      Object v = m.get(key);
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
  }
}
