package dev.r1.training.grpo;

import ai.djl.ndarray.NDManager;
import dev.r1.model.CausalLm;
import dev.r1.model.generate.Completion;
import dev.r1.model.generate.Generator;
import dev.r1.model.generate.SamplingParams;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.reward.GroupRewardFunction;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardRunner;
import dev.r1.training.reflection.ReflectionPhrases;
import dev.r1.training.task.ChatPrompts;
import dev.r1.training.task.TaskRow;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.SplittableRandom;
import java.util.function.Consumer;

/**
 * GRPO in one process: each step samples G completions for a batch of prompts with the current
 * policy, scores them with a {@link RewardRunner}, and runs one {@link GrpoTrainer} update. Prompts
 * are drawn in seeded random order (a new permutation per pass), and sampling seeds derive from the
 * loop seed and the step, so a run with the same seeds repeats exactly.
 */
public final class LocalGrpoLoop {

  /**
   * Loop settings.
   *
   * @param steps updates to run
   * @param promptsPerStep prompts sampled per update
   * @param groupSize G, completions per prompt
   * @param maxNewTokens generation limit
   * @param temperature sampling temperature (the trainer scores at its own configured temperature;
   *     keep them equal)
   * @param seed prompt order and sampling seed
   * @param decodeThreads libtorch intra-op threads while generating (0: the engine's count; the
   *     update always runs on the engine's count)
   */
  public record Config(
      int steps,
      int promptsPerStep,
      int groupSize,
      int maxNewTokens,
      double temperature,
      long seed,
      int decodeThreads) {

    /** Settings that generate on the engine's intra-op thread count. */
    public Config(
        int steps,
        int promptsPerStep,
        int groupSize,
        int maxNewTokens,
        double temperature,
        long seed) {
      this(steps, promptsPerStep, groupSize, maxNewTokens, temperature, seed, 0);
    }

    public Config {
      if (decodeThreads < 0) {
        throw new IllegalArgumentException(
            "decodeThreads must be >= 0 (0: the engine's count), got " + decodeThreads);
      }
      if (steps < 0 || promptsPerStep < 1 || groupSize < 1 || maxNewTokens < 1) {
        throw new IllegalArgumentException(
            "steps >= 0, promptsPerStep >= 1, groupSize >= 1 and maxNewTokens >= 1 required, got "
                + steps
                + ", "
                + promptsPerStep
                + ", "
                + groupSize
                + ", "
                + maxNewTokens);
      }
      if (!(temperature > 0)) {
        throw new IllegalArgumentException("temperature must be > 0, got " + temperature);
      }
    }
  }

  /**
   * One loop step.
   *
   * @param step 1-based step
   * @param metrics the trainer's metrics
   * @param sampleSeconds generation time
   * @param scoreSeconds reward time
   * @param reflectionRate share of the step's completions with a reflection phrase ({@link
   *     ReflectionPhrases})
   */
  public record StepReport(
      int step,
      GrpoStepMetrics metrics,
      double sampleSeconds,
      double scoreSeconds,
      double reflectionRate) {}

  /**
   * Scores a step's completions; {@code rows.get(i)} is the task row of {@code inputs.get(i)}. The
   * default wraps one {@link RewardRunner}; a scenario mix routes rows to different rewards.
   */
  @FunctionalInterface
  public interface Scorer {
    List<RewardRunner.Scored> score(List<TaskRow> rows, List<RewardInput> inputs);
  }

  private final CausalLm model;
  private final Tokenizer tokenizer;
  private final ChatPrompts prompts;
  private final Scorer rewards;
  private final GrpoTrainer trainer;
  private final Config config;
  private final Set<Integer> stopIds = new HashSet<>();
  private final Map<String, int[]> promptCache = new HashMap<>();
  private int[] order = new int[0];
  private int cursor;
  private final SplittableRandom random;

  public LocalGrpoLoop(
      CausalLm model,
      Tokenizer tokenizer,
      ChatPrompts prompts,
      RewardRunner rewards,
      GrpoTrainer trainer,
      Config config) {
    this(model, tokenizer, prompts, (rows, inputs) -> rewards.score(inputs), trainer, config);
  }

  /** A loop whose completions are scored by {@code scorer} (e.g. a scenario mix). */
  public LocalGrpoLoop(
      CausalLm model,
      Tokenizer tokenizer,
      ChatPrompts prompts,
      Scorer rewards,
      GrpoTrainer trainer,
      Config config) {
    this.model = model;
    this.tokenizer = tokenizer;
    this.prompts = prompts;
    this.rewards = rewards;
    this.trainer = trainer;
    this.config = config;
    for (int id : tokenizer.stopTokenIds()) {
      stopIds.add(id);
    }
    this.random = new SplittableRandom(config.seed());
  }

  /** Runs {@link Config#steps()} steps over {@code rows}, calling {@code callback} after each. */
  public List<StepReport> run(
      NDManager manager, List<TaskRow> rows, Consumer<StepReport> callback) {
    List<StepReport> reports = new ArrayList<>();
    for (int s = 1; s <= config.steps(); s++) {
      StepReport r = step(manager, s, nextBatch(rows));
      reports.add(r);
      if (callback != null) {
        callback.accept(r);
      }
    }
    return reports;
  }

  private List<TaskRow> nextBatch(List<TaskRow> rows) {
    if (rows.isEmpty()) {
      throw new IllegalArgumentException("rows must not be empty");
    }
    List<TaskRow> batch = new ArrayList<>(config.promptsPerStep());
    while (batch.size() < config.promptsPerStep()) {
      if (cursor >= order.length || order.length != rows.size()) {
        order = new int[rows.size()];
        for (int i = 0; i < order.length; i++) {
          order[i] = i;
        }
        for (int i = order.length - 1; i > 0; i--) {
          int j = random.nextInt(i + 1);
          int t = order[i];
          order[i] = order[j];
          order[j] = t;
        }
        cursor = 0;
      }
      batch.add(rows.get(order[cursor++]));
    }
    return batch;
  }

  /** Samples, scores and trains on one batch of rows. */
  public StepReport step(NDManager manager, int step, List<TaskRow> batch) {
    int g = config.groupSize();
    long version = trainer.policyVersion();
    long t0 = System.nanoTime();
    List<int[]> inputs = new ArrayList<>(batch.size() * g);
    List<String> texts = new ArrayList<>(batch.size());
    for (TaskRow row : batch) {
      String text = prompts.render(row.question());
      texts.add(text);
      int[] ids = promptCache.computeIfAbsent(text, tokenizer::encode);
      for (int i = 0; i < g; i++) {
        inputs.add(ids);
      }
    }
    SamplingParams params =
        new SamplingParams(
            config.maxNewTokens(),
            config.temperature(),
            0,
            1.0,
            config.seed() * 1_000_003L + step,
            stopIds);
    List<Completion> completions =
        new Generator(model, tokenizer.padTokenId())
            .withIntraOpThreads(config.decodeThreads())
            .generate(manager, inputs, params);
    long t1 = System.nanoTime();
    List<RewardInput> scoring = new ArrayList<>(completions.size());
    List<TaskRow> rowOf = new ArrayList<>(completions.size());
    List<String> decoded = new ArrayList<>(completions.size());
    for (int i = 0; i < completions.size(); i++) {
      TaskRow row = batch.get(i / g);
      String text = tokenizer.decode(completions.get(i).tokens(), true);
      decoded.add(text);
      rowOf.add(row);
      scoring.add(
          new RewardInput(
              texts.get(i / g),
              text,
              row.answer(),
              Map.of(GroupRewardFunction.GROUP_KEY, row.promptId() + "#" + (i / g))));
    }
    List<RewardRunner.Scored> scores = rewards.score(rowOf, scoring);
    long t2 = System.nanoTime();
    List<PromptGroup> groups = new ArrayList<>(batch.size());
    for (int p = 0; p < batch.size(); p++) {
      List<SampledCompletion> group = new ArrayList<>(g);
      for (int i = p * g; i < (p + 1) * g; i++) {
        RewardRunner.Scored s = scores.get(i);
        Map<String, Double> comps = new LinkedHashMap<>();
        s.components().forEach((k, v) -> comps.put(k, v.value()));
        group.add(SampledCompletion.of(completions.get(i), s.total(), comps, version));
      }
      groups.add(new PromptGroup(batch.get(p).promptId(), inputs.get(p * g), group));
    }
    GrpoStepMetrics metrics = trainer.update(groups);
    return new StepReport(
        step, metrics, (t1 - t0) / 1e9, (t2 - t1) / 1e9, ReflectionPhrases.rate(decoded));
  }
}
