package dev.r1.training.loop;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelConfig;
import dev.r1.model.tokenizer.TinyTokenizerFactory;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.reward.RewardRegistry;
import dev.r1.reward.RewardRunner;
import dev.r1.training.eval.Evaluator;
import dev.r1.training.grpo.GrpoTrainer;
import dev.r1.training.grpo.GrpoTrainerConfig;
import dev.r1.training.grpo.LocalGrpoLoop;
import dev.r1.training.recipe.TinyArithmeticRecipe;
import dev.r1.training.sft.SftConfig;
import dev.r1.training.sft.SftExample;
import dev.r1.training.sft.SftResult;
import dev.r1.training.sft.SftTrainer;
import dev.r1.training.task.ArithmeticTask;
import dev.r1.training.task.ChatPrompts;
import dev.r1.training.task.TaskRow;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The platform's end-to-end learning check on a tiny model: a short SFT teaches the R1 format on
 * the arithmetic task, then in-process GRPO raises held-out accuracy and mean reward.
 */
@Tag("learning")
class ArithmeticLearningTest {

  static int prop(String name, int dflt) {
    return Integer.getInteger("r1.learn." + name, dflt);
  }

  static double dprop(String name, double dflt) {
    String v = System.getProperty("r1.learn." + name);
    return v == null ? dflt : Double.parseDouble(v);
  }

  @Test
  void sftTeachesFormatThenGrpoRaisesHeldOutAccuracy(@TempDir Path dir) {
    long start = System.nanoTime();
    int hidden = prop("hidden", 96);
    int layers = prop("layers", 2);
    int digits = prop("digits", 2);
    int sftSteps = prop("sftSteps", 400);
    int grpoSteps = prop("grpoSteps", 200);
    int promptsPerStep = prop("prompts", TinyArithmeticRecipe.PROMPTS_PER_STEP);
    int groupSize = prop("g", 8);
    int maxNew = prop("maxNew", 40);
    double sftLr = dprop("sftLr", 3e-3);
    double grpoLr = dprop("grpoLr", 5e-5);
    boolean steps = prop("steps", 1) == 1;
    boolean system = prop("system", 0) == 1;
    ModelConfig config =
        new ModelConfig(
            "qwen2",
            TinyTokenizerFactory.VOCAB_SIZE,
            hidden,
            hidden * 3,
            layers,
            4,
            2,
            hidden / 4,
            1e-6,
            10000,
            null,
            true,
            true,
            false,
            512,
            -1,
            List.of(3),
            "float32");
    ArithmeticTask task =
        new ArithmeticTask(digits, java.util.EnumSet.allOf(ArithmeticTask.Op.class), 10, 7);
    List<TaskRow> train = task.train(prop("trainRows", 4000));
    List<TaskRow> heldOut = task.heldOut(prop("evalRows", 200));
    ChatPrompts prompts =
        system
            ? ChatPrompts.r1ChatMl()
            : new ChatPrompts(dev.r1.model.tokenizer.ChatTemplate.chatMl(), null);
    try (Tokenizer tok = Tokenizer.load(TinyTokenizerFactory.write(dir.resolve("tok")));
        NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(config, 11, root, DataType.FLOAT32)) {
      int eos = tok.eosTokenId();
      int pad = tok.padTokenId();
      List<SftExample> sft = new ArrayList<>();
      for (TaskRow r : train) {
        sft.add(
            SftExample.of(
                tok,
                prompts.render(r.question()),
                ArithmeticTask.solution(
                    r,
                    steps
                        ? ArithmeticTask.SolutionStyle.STEPS
                        : ArithmeticTask.SolutionStyle.RESTATE),
                eos));
      }
      System.out.println(
          "prompt tokens "
              + sft.get(0).prompt().length
              + " response "
              + sft.get(0).response().length);
      SftResult sftResult;
      try (SftTrainer trainer =
          new SftTrainer(model, SftConfig.of(sftSteps, sftLr, pad).withBatch(32, 1), root)) {
        sftResult =
            trainer.train(
                sft,
                List.of(),
                m -> {
                  if (m.step() % 25 == 0) {
                    System.out.printf(
                        "sft %d loss %.3f lr %.2e %.0f tok/s%n",
                        m.step(), m.loss(), m.learningRate(), m.tokensPerSecond());
                  }
                });
      }
      double sftSeconds = (System.nanoTime() - start) / 1e9;
      Evaluator evaluator = new Evaluator(model, tok, prompts);
      Evaluator.Options greedy = Evaluator.Options.greedy(maxNew);
      Evaluator.Report afterSft = evaluator.evaluate(root, heldOut, greedy);
      System.out.println("after SFT (" + sftSeconds + " s): " + afterSft);

      GrpoTrainerConfig gcfg =
          GrpoTrainerConfig.defaults(grpoLr, pad)
              .withMicroBatchSize(prop("micro", 128))
              .withIterations(prop("mu", 1))
              .withTemperature(dprop("temp", TinyArithmeticRecipe.TEMPERATURE))
              .withSchedule(
                  new dev.r1.model.train.LrSchedule(
                      grpoLr,
                      prop("warmup", 20),
                      Math.max(1, grpoSteps),
                      dev.r1.model.train.LrSchedule.Shape.CONSTANT,
                      1.0));
      List<Double> rewardCurve = new ArrayList<>();
      try (RewardRunner rewards =
              RewardRunner.of(
                  Map.of(
                      "rewards",
                      List.of(
                          Map.of("name", "accuracy", "weight", 1.0),
                          Map.of(
                              "name",
                              "format",
                              "weight",
                              0.2,
                              "params",
                              Map.of("require_answer_tags", true)))),
                  RewardRegistry.builtins(),
                  2);
          GrpoTrainer trainer = new GrpoTrainer(model, null, gcfg, root)) {
        LocalGrpoLoop loop =
            new LocalGrpoLoop(
                model,
                tok,
                prompts,
                rewards,
                trainer,
                new LocalGrpoLoop.Config(
                    grpoSteps,
                    promptsPerStep,
                    groupSize,
                    maxNew,
                    dprop("temp", TinyArithmeticRecipe.TEMPERATURE),
                    prop("seed", 3)));
        loop.run(
            root,
            train,
            r -> {
              rewardCurve.add(r.metrics().rewardMean());
              System.out.printf(
                  "grpo %d sample %.2fs score %.2fs %s%n",
                  r.step(), r.sampleSeconds(), r.scoreSeconds(), r.metrics().summary());
            });
      }
      Evaluator.Report afterGrpo = evaluator.evaluate(root, heldOut, greedy);
      double total = (System.nanoTime() - start) / 1e9;
      System.out.println("after GRPO (" + total + " s): " + afterGrpo);
      assertThat(afterSft.formatRate()).isGreaterThanOrEqualTo(0.95);
      assertThat(afterGrpo.passAt1()).isGreaterThanOrEqualTo(afterSft.passAt1() + 0.15);
      double early =
          rewardCurve.subList(0, 10).stream().mapToDouble(d -> d).average().orElseThrow();
      double late =
          rewardCurve.subList(rewardCurve.size() - 50, rewardCurve.size()).stream()
              .mapToDouble(d -> d)
              .average()
              .orElseThrow();
      System.out.printf("mean reward: first 10 steps %.3f, last 50 steps %.3f%n", early, late);
      assertThat(late).isGreaterThan(early);
    }
  }
}
