package dev.r1.cli;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelConfig;
import dev.r1.model.generate.Completion;
import dev.r1.model.generate.Generator;
import dev.r1.model.generate.SamplingParams;
import dev.r1.model.tokenizer.TinyTokenizerFactory;
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
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(
    name = "demo",
    description =
        "Train a tiny model the R1 way on the built-in arithmetic task, in this process: a short"
            + " cold-start SFT teaches the <think>/<answer> format, GRPO with accuracy and format"
            + " rewards raises accuracy; prints progress, an evaluation table and sample"
            + " completions, and saves the model as a Hugging Face folder.")
final class DemoCommand implements Callable<Integer> {

  @Spec picocli.CommandLine.Model.CommandSpec spec;

  @Option(names = "--out", defaultValue = "runs/demo", description = "where the model is saved")
  Path out;

  @Option(names = "--sft-steps", defaultValue = "400")
  int sftSteps;

  @Option(names = "--grpo-steps", defaultValue = "150")
  int grpoSteps;

  @Option(names = "--digits", defaultValue = "2", description = "operand digits of the task")
  int digits;

  @Option(names = "--seed", defaultValue = "7")
  long seed;

  @Override
  public Integer call() throws Exception {
    PrintWriter w = spec.commandLine().getOut();
    long t0 = System.nanoTime();
    ArithmeticTask task = TinyArithmeticRecipe.task(digits, seed);
    List<TaskRow> train = task.train(4000);
    List<TaskRow> heldOut = task.heldOut(100);
    ChatPrompts prompts = TinyArithmeticRecipe.prompts();
    ModelConfig config = TinyArithmeticRecipe.modelConfig();
    TinyTokenizerFactory.write(out);
    try (Tokenizer tok = Tokenizer.load(out);
        NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(config, seed, root, DataType.FLOAT32)) {
      w.printf(
          "Training a %,d-parameter model on %d-digit arithmetic (held-out: %d problems).%n",
          config.parameterCount(), digits, heldOut.size());
      Evaluator evaluator = new Evaluator(model, tok, prompts);
      Evaluator.Options greedy = Evaluator.Options.greedy(40);

      List<SftExample> examples = TinyArithmeticRecipe.coldStartExamples(tok, train);
      try (SftTrainer sft =
          new SftTrainer(
              model, SftConfig.of(sftSteps, 3e-3, tok.padTokenId()).withBatch(32, 1), root)) {
        sft.train(
            examples,
            List.of(),
            m -> {
              if (m.step() % 10 == 0 || m.step() == sftSteps) {
                w.printf(
                    "\r[cold-start SFT] %s step %d/%d loss %.3f %,.0f tok/s",
                    bar(m.step(), sftSteps), m.step(), sftSteps, m.loss(), m.tokensPerSecond());
                w.flush();
              }
            });
      }
      w.println();
      Evaluator.Report afterSft = evaluator.evaluate(root, heldOut, greedy);

      Map<String, Object> rewardSpec = TinyArithmeticRecipe.rewardSpec();
      try (RewardRunner rewards = RewardRunner.of(rewardSpec, RewardRegistry.builtins(), 2);
          GrpoTrainer trainer =
              new GrpoTrainer(
                  model,
                  null,
                  TinyArithmeticRecipe.grpoConfig(tok.padTokenId(), grpoSteps),
                  root)) {
        LocalGrpoLoop loop =
            new LocalGrpoLoop(
                model,
                tok,
                prompts,
                rewards,
                trainer,
                new LocalGrpoLoop.Config(
                    grpoSteps,
                    TinyArithmeticRecipe.PROMPTS_PER_STEP,
                    TinyArithmeticRecipe.GROUP_SIZE,
                    TinyArithmeticRecipe.MAX_NEW_TOKENS,
                    TinyArithmeticRecipe.TEMPERATURE,
                    seed));
        loop.run(
            root,
            train,
            r -> {
              w.printf(
                  "\r[GRPO] %s step %d/%d reward %.3f accuracy %.3f len %.1f %,.0f tok/s",
                  bar(r.step(), grpoSteps),
                  r.step(),
                  grpoSteps,
                  r.metrics().rewardMean(),
                  r.metrics().rewardComponentMeans().getOrDefault("accuracy", Double.NaN),
                  r.metrics().completionLengthMean(),
                  r.metrics().tokensPerSecond());
              w.flush();
            });
      }
      w.println();
      Evaluator.Report afterGrpo = evaluator.evaluate(root, heldOut, greedy);
      model.save(out);

      w.println();
      w.printf("%-16s %8s %8s %10s%n", "stage", "pass@1", "format", "mean len");
      w.printf(
          "%-16s %8.3f %8.3f %10.1f%n",
          "cold-start SFT",
          afterSft.passAt1(),
          afterSft.formatRate(),
          afterSft.meanCompletionLength());
      w.printf(
          "%-16s %8.3f %8.3f %10.1f%n",
          "GRPO", afterGrpo.passAt1(), afterGrpo.formatRate(), afterGrpo.meanCompletionLength());
      w.println();
      Set<Integer> stops = new HashSet<>();
      Arrays.stream(tok.stopTokenIds()).forEach(stops::add);
      List<int[]> samplePrompts = new ArrayList<>();
      for (TaskRow r : heldOut.subList(0, 3)) {
        samplePrompts.add(tok.encode(prompts.render(r.question())));
      }
      List<Completion> samples =
          new Generator(model, tok.padTokenId())
              .generate(root, samplePrompts, SamplingParams.greedy(40, stops));
      for (int i = 0; i < samples.size(); i++) {
        w.printf(
            "Q: %s (answer %s)%nA: %s%n",
            heldOut.get(i).question(),
            heldOut.get(i).answer(),
            tok.decode(samples.get(i).tokens(), true).replace("\n", " "));
      }
      w.printf(
          "%nSaved the model to %s (a Hugging Face folder) in %.0f s.%n",
          out.toAbsolutePath(), (System.nanoTime() - t0) / 1e9);
      w.flush();
      return afterGrpo.passAt1() > afterSft.passAt1() ? 0 : 1;
    }
  }

  private static String bar(int done, int total) {
    int width = 20;
    int filled = (int) Math.round(width * (double) done / total);
    return "[" + "#".repeat(filled) + ".".repeat(width - filled) + "]";
  }
}
