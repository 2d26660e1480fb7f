package dev.r1.training.pipeline;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.TinyTokenizerFactory;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.training.eval.Evaluator;
import dev.r1.training.recipe.TinyArithmeticRecipe;
import dev.r1.training.task.ArithmeticTask;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The R1 pipeline with a preset ({@code -Dr1.pipeline.preset=default|quick}) and the distillation
 * comparison under equal wall clock: the distilled student against students of the same size
 * trained by GRPO alone for as long as the distillation took, from the same base (random init +
 * cold start) and from the random initialisation. Prints a markdown table.
 *
 * <p>Run: {@code mvn test -pl training -Dr1.excludedGroups=none -Dgroups=bench
 * -Dtest=R1PipelineBench}
 */
@Tag("bench")
class R1PipelineBench {

  @Test
  void pipelineAndDistillationUnderEqualWallClock(@TempDir Path dir) throws Exception {
    String preset = System.getProperty("r1.pipeline.preset", "default");
    PipelineConfig c = PipelineConfig.from(Map.of("preset", preset));
    Path tok = TinyTokenizerFactory.write(dir.resolve("tok"));
    long t0 = System.nanoTime();
    StringBuilder stages = new StringBuilder();
    R1Pipeline.Result r =
        new R1Pipeline(
                c,
                dir.resolve("run"),
                new R1Pipeline.Listener() {
                  @Override
                  public void stageCompleted(R1Pipeline.StageResult s) {
                    stages.append(
                        String.format(
                            Locale.ROOT,
                            "| %d %s | %.1f | %.3f | %.3f | %.3f | %.1f | %.3f |%n",
                            s.index(),
                            s.name(),
                            s.seconds(),
                            s.eval().passAt1(),
                            s.eval().consAtK(),
                            s.eval().formatRate(),
                            s.eval().meanCompletionLength(),
                            s.eval().reflectionRate()));
                    System.out.println("stage " + s.index() + " " + s.name() + ": " + s.eval());
                  }
                })
            .run(tok);
    double pipelineSeconds = (System.nanoTime() - t0) / 1e9;
    Evaluator.Report base;
    try (Tokenizer t = Tokenizer.load(tok);
        NDManager root = NDManager.newBaseManager();
        CausalLm m = CausalLm.load(r.studentBase(), root, DataType.FLOAT32)) {
      base =
          new Evaluator(m, t, TinyArithmeticRecipe.prompts())
              .evaluate(
                  root,
                  ArithmeticTask.of(c.digits(), c.seed()).heldOut(c.evalPrompts()),
                  new Evaluator.Options(
                      c.evalSamples(), c.temperature(), c.maxNewTokens(), c.seed() + 17, 256));
    }
    double budget = r.studentTrainSeconds();
    GrpoOnlyStudent.Outcome sameBase =
        GrpoOnlyStudent.train(c, tok, r.studentBase(), false, budget, Long.MAX_VALUE, 100_000);
    GrpoOnlyStudent.Outcome fromScratch =
        GrpoOnlyStudent.train(c, tok, null, false, budget, Long.MAX_VALUE, 100_000);
    System.out.printf(
        Locale.ROOT,
        "%nR1 pipeline, preset %s, %.0f s in all (teacher %d hidden x %d layers, student %d x %d)%n"
            + "| stage | seconds | pass@1 | cons@%d | format | mean length | reflection |%n"
            + "|---|---|---|---|---|---|---|%n%s"
            + "%nFinal evaluation, %d held-out prompts x %d samples, T=%.1f:%n"
            + "| model | pass@1 | cons@%d | format | language | train wall s |%n"
            + "|---|---|---|---|---|---|%n"
            + "| teacher (RL) | %.3f | %.3f | %.3f | %.3f | |%n"
            + "| student base (cold start only) | %.3f | %.3f | %.3f | %.3f | |%n"
            + "| student distilled from the teacher | %.3f | %.3f | %.3f | %.3f | %.1f |%n"
            + "| student GRPO only from the base (%d steps) | %.3f | %.3f | %.3f | %.3f | %.1f |%n"
            + "| student GRPO only from random init (%d steps) | %.3f | %.3f | %.3f | %.3f | %.1f"
            + " |%n",
        preset,
        pipelineSeconds,
        c.teacherHidden(),
        c.teacherLayers(),
        c.studentHidden(),
        c.studentLayers(),
        c.stageEvalSamples(),
        stages,
        c.evalPrompts(),
        c.evalSamples(),
        c.temperature(),
        c.evalSamples(),
        r.teacher().passAt1(),
        r.teacher().consAtK(),
        r.teacher().formatRate(),
        r.teacher().languageRate(),
        base.passAt1(),
        base.consAtK(),
        base.formatRate(),
        base.languageRate(),
        r.student().passAt1(),
        r.student().consAtK(),
        r.student().formatRate(),
        r.student().languageRate(),
        budget,
        sameBase.grpoSteps(),
        sameBase.report().passAt1(),
        sameBase.report().consAtK(),
        sameBase.report().formatRate(),
        sameBase.report().languageRate(),
        sameBase.seconds(),
        fromScratch.grpoSteps(),
        fromScratch.report().passAt1(),
        fromScratch.report().consAtK(),
        fromScratch.report().formatRate(),
        fromScratch.report().languageRate(),
        fromScratch.seconds());
  }
}
