package dev.r1.training.pipeline;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.reward.RewardRegistry;
import dev.r1.reward.RewardRunner;
import dev.r1.training.eval.Evaluator;
import dev.r1.training.grpo.GrpoTrainer;
import dev.r1.training.grpo.LocalGrpoLoop;
import dev.r1.training.recipe.TinyArithmeticRecipe;
import dev.r1.training.sft.SftConfig;
import dev.r1.training.sft.SftExample;
import dev.r1.training.sft.SftTrainer;
import dev.r1.training.task.ArithmeticTask;
import dev.r1.training.task.ChatPrompts;
import dev.r1.training.task.TaskRow;
import java.nio.file.Path;
import java.util.List;

/**
 * The distillation comparison's baseline: a student of the distilled student's size trained without
 * a teacher, by GRPO, under the same budget. With {@code coldStart}, it first gets the teacher's
 * cold start (the same curated rows and steps, counted against the budget); without, it runs GRPO
 * from its random initialisation.
 *
 * <p>The budget is either wall clock or a compute proxy in token passes: an SFT token costs 3
 * (forward + backward), a GRPO token (prompt + completion) costs 4 (sampling forward + training
 * forward + backward).
 */
final class GrpoOnlyStudent {

  /** Baseline outcome: evaluation, GRPO steps run, wall seconds and token passes spent. */
  record Outcome(Evaluator.Report report, int grpoSteps, double seconds, long tokenPasses) {}

  private GrpoOnlyStudent() {}

  static Outcome train(
      PipelineConfig c,
      Path tokenizerDir,
      Path base,
      boolean coldStart,
      double budgetSeconds,
      long budgetTokenPasses,
      int maxGrpoSteps) {
    ArithmeticTask task = ArithmeticTask.of(c.digits(), c.seed());
    List<TaskRow> train = task.train(c.coldStartRows() + Math.max(c.rsPrompts(), 2000));
    List<TaskRow> coldRows = train.subList(0, c.coldStartRows());
    List<TaskRow> rlRows = train.subList(c.coldStartRows(), train.size());
    List<TaskRow> eval = task.heldOut(c.evalPrompts());
    ChatPrompts prompts = TinyArithmeticRecipe.prompts();
    try (Tokenizer tok = Tokenizer.load(tokenizerDir);
        NDManager root = NDManager.newBaseManager();
        CausalLm student =
            base != null
                ? CausalLm.load(base, root, DataType.FLOAT32)
                : CausalLm.random(
                    R1Pipeline.modelConfig(c.studentHidden(), c.studentLayers()),
                    c.seed() + 5,
                    root,
                    DataType.FLOAT32);
        RewardRunner rewards =
            RewardRunner.of(TinyArithmeticRecipe.rewardSpec(), RewardRegistry.builtins(), 2)) {
      long t0 = System.nanoTime();
      long passes = 0;
      if (coldStart) {
        List<SftExample> ex = TinyArithmeticRecipe.coldStartExamples(tok, coldRows);
        try (SftTrainer t =
            new SftTrainer(
                student,
                SftConfig.of(c.coldStartSteps(), c.sftLearningRate(), tok.padTokenId())
                    .withBatch(c.sftBatch(), 1)
                    .withSeed(c.seed()),
                root)) {
          t.train(ex, List.of(), m -> {});
        }
        passes += 3 * R1Pipeline.tokens(ex, c.coldStartSteps(), c.sftBatch());
      }
      int promptLength = tok.encode(prompts.render(rlRows.get(0).question())).length;
      int steps = 0;
      R1Pipeline helper = new R1Pipeline(c, tokenizerDir, null);
      try (GrpoTrainer trainer =
          new GrpoTrainer(student, null, helper.grpoConfig(tok, maxGrpoSteps), root)) {
        LocalGrpoLoop loop =
            new LocalGrpoLoop(
                student,
                tok,
                prompts,
                rewards,
                trainer,
                new LocalGrpoLoop.Config(
                    maxGrpoSteps,
                    c.promptsPerStep(),
                    c.groupSize(),
                    c.maxNewTokens(),
                    c.temperature(),
                    c.seed() * 31 + 1));
        int cursor = 0;
        while (steps < maxGrpoSteps
            && (System.nanoTime() - t0) / 1e9 < budgetSeconds
            && passes < budgetTokenPasses) {
          List<TaskRow> batch = new java.util.ArrayList<>();
          for (int i = 0; i < c.promptsPerStep(); i++) {
            batch.add(rlRows.get(cursor++ % rlRows.size()));
          }
          LocalGrpoLoop.StepReport r = loop.step(root, ++steps, batch);
          passes +=
              4L
                  * c.promptsPerStep()
                  * c.groupSize()
                  * Math.round(promptLength + r.metrics().completionLengthMean());
        }
      }
      double seconds = (System.nanoTime() - t0) / 1e9;
      Evaluator.Report report =
          new Evaluator(student, tok, prompts)
              .evaluate(
                  root,
                  eval,
                  new Evaluator.Options(
                      c.evalSamples(), c.temperature(), c.maxNewTokens(), c.seed() + 17, 256));
      return new Outcome(report, steps, seconds, passes);
    }
  }
}
