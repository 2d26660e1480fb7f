package dev.r1.training.recipe;

import dev.r1.model.ModelConfig;
import dev.r1.model.tokenizer.ChatTemplate;
import dev.r1.model.tokenizer.TinyTokenizerFactory;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.model.train.LrSchedule;
import dev.r1.training.grpo.GrpoTrainerConfig;
import dev.r1.training.sft.SftExample;
import dev.r1.training.task.ArithmeticTask;
import dev.r1.training.task.ChatPrompts;
import dev.r1.training.task.TaskRow;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * The R1 recipe at tiny scale on the built-in task, as measured to learn on this machine: a
 * 0.2M-parameter Qwen2-style model with the byte tokenizer, a cold-start SFT on worked solutions
 * that teaches the {@code <think>/<answer>} format, then GRPO at temperature 0.5 with a small,
 * warmed-up learning rate (a fresh AdamW at 3e-4 wipes the SFT model out) over 32 prompts a step.
 *
 * <p>Measured in process (held-out greedy pass@1 on 200 prompts after 200 GRPO steps, from 0.655
 * after the cold start, three seeds each): 16 prompts at temperature 0.7 reached 0.715-0.775, 16 at
 * 0.5 reached 0.765-0.785, 32 at 0.5 reached 0.815-0.825 (+16 to +17 points). A doubled learning
 * rate was noisier (0.755-0.835), 300 steps added 1 point, a shorter cold start (250-300 steps)
 * left a model GRPO could not improve at all.
 */
public final class TinyArithmeticRecipe {

  /** Operand digits of the task. */
  public static final int DIGITS = 2;

  /** SFT steps of the cold start (batch 32, lr 3e-3, warmup + cosine). */
  public static final int SFT_STEPS = 400;

  /** Prompts per GRPO step and completions per prompt. */
  public static final int PROMPTS_PER_STEP = 32;

  public static final int GROUP_SIZE = 8;

  /** Completion length limit. */
  public static final int MAX_NEW_TOKENS = 40;

  /**
   * Sampling temperature of GRPO (at 1.0 the tiny model rarely samples a right answer; at 0.5 a
   * third more samples are right than at 0.7 and the greedy policy learns more).
   */
  public static final double TEMPERATURE = 0.5;

  /** GRPO learning rate after {@link #WARMUP_STEPS} steps of warmup. */
  public static final double GRPO_LEARNING_RATE = 5e-5;

  public static final int WARMUP_STEPS = 20;

  private TinyArithmeticRecipe() {}

  /** The task with its fixed train/held-out split. */
  public static ArithmeticTask task(long seed) {
    return task(DIGITS, seed);
  }

  /** The task with other operand widths (the recipe was measured at {@link #DIGITS}). */
  public static ArithmeticTask task(int digits, long seed) {
    return new ArithmeticTask(digits, java.util.EnumSet.allOf(ArithmeticTask.Op.class), 10, seed);
  }

  /** The model: hidden 96, 2 layers, 4 heads / 2 kv heads, MLP 288, the tiny tokenizer's vocab. */
  public static ModelConfig modelConfig() {
    return new ModelConfig(
        "qwen2",
        TinyTokenizerFactory.VOCAB_SIZE,
        96,
        288,
        2,
        4,
        2,
        24,
        1e-6,
        10000,
        null,
        true,
        true,
        false,
        512,
        -1,
        List.of(TinyTokenizerFactory.SPECIAL_TOKENS.indexOf(TinyTokenizerFactory.IM_END)),
        "float32");
  }

  /** ChatML without a system turn: the tiny model's tokens are bytes, so prompts stay short. */
  public static ChatPrompts prompts() {
    return new ChatPrompts(ChatTemplate.chatMl(), null);
  }

  /** Cold-start examples: each prompt with its digit-by-digit worked solution, then EOS. */
  public static List<SftExample> coldStartExamples(Tokenizer tok, List<TaskRow> rows) {
    ChatPrompts prompts = prompts();
    List<SftExample> out = new ArrayList<>(rows.size());
    for (TaskRow r : rows) {
      out.add(
          SftExample.of(
              tok,
              prompts.render(r.question()),
              ArithmeticTask.solution(r, ArithmeticTask.SolutionStyle.STEPS),
              tok.eosTokenId()));
    }
    return out;
  }

  /** Accuracy plus a small format reward with answer tags required. */
  public static Map<String, Object> rewardSpec() {
    return Map.of(
        "rewards",
        List.of(
            Map.of("name", "accuracy", "weight", 1.0),
            Map.of(
                "name", "format", "weight", 0.2, "params", Map.of("require_answer_tags", true))));
  }

  /** The GRPO update settings for {@code steps} steps (DAPO loss, no KL). */
  public static GrpoTrainerConfig grpoConfig(int padId, int steps) {
    return GrpoTrainerConfig.defaults(GRPO_LEARNING_RATE, padId)
        .withMicroBatchSize(128)
        .withTemperature(TEMPERATURE)
        .withSchedule(
            new LrSchedule(
                GRPO_LEARNING_RATE, WARMUP_STEPS, steps, LrSchedule.Shape.CONSTANT, 1.0));
  }
}
