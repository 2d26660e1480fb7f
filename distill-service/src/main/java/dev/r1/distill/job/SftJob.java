package dev.r1.distill.job;

import ai.djl.ndarray.NDManager;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.JobSubmitted;
import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.model.train.LrSchedule;
import dev.r1.model.train.OptimizerConfig;
import dev.r1.training.eval.Evaluator;
import dev.r1.training.pipeline.R1Pipeline;
import dev.r1.training.pipeline.StepMetricMaps;
import dev.r1.training.recipe.TinyArithmeticRecipe;
import dev.r1.training.rejection.RejectionConfig;
import dev.r1.training.rejection.RejectionFilter;
import dev.r1.training.sft.Padding;
import dev.r1.training.sft.SftConfig;
import dev.r1.training.sft.SftDataset;
import dev.r1.training.sft.SftExample;
import dev.r1.training.sft.SftResult;
import dev.r1.training.task.ArithmeticTask;
import dev.r1.training.task.ChatPrompts;
import dev.r1.training.task.TaskRow;
import java.net.URI;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * An SFT job: prompt/response pairs through the model's chat template, loss on the response only, a
 * held-out share for the eval loss, warmup + cosine schedule; the trained model is registered as
 * version 1 of the job. The data: a JSONL file of {@code prompt}/{@code response} rows, the
 * built-in task's worked solutions ({@code builtin:arithmetic}: a cold start), or, with {@code
 * rejection_k > 0}, the job's own model's traces on the dataset's prompts, rejection sampled
 * through the sampler and reward fleet (rejection-sampling SFT), mixed with general rows from
 * {@code general_uri}.
 */
final class SftJob extends JobRun {

  private final Params p;

  SftJob(JobSubmitted job, Services services) {
    super(job, services);
    this.p = new Params(job.hyperparameters());
  }

  @Override
  String describe() {
    return "Job "
        + job.jobId()
        + " started SFT of "
        + job.model()
        + " on "
        + job.datasetUri()
        + (p.integer("rejection_k", 0, 0, 256) > 0
            ? " (rejection sampled, k = " + p.integer("rejection_k", 0, 0, 256) + ")."
            : ".");
  }

  @Override
  Outcome execute() throws Exception {
    Workbench bench = new Workbench(services);
    long seed = p.integer("seed", 0, 0, Integer.MAX_VALUE);
    int digits = p.integer("digits", 2, 1, 6);
    int rejectionK = p.integer("rejection_k", 0, 0, 256);
    Path base = bench.fetch(job.model(), dir.resolve("base"));
    Map<String, Double> metrics = new LinkedHashMap<>();
    try (Tokenizer tok = Tokenizer.load(base);
        NDManager root = NDManager.newBaseManager();
        CausalLm model =
            Workbench.model(
                base,
                tok,
                p.integer("hidden_size", 0, 0, 4096),
                p.integer("num_layers", 2, 1, 64),
                seed + 4,
                root,
                "hidden_size")) {
      ChatPrompts prompts = prompts(p, tok);
      List<SftExample> examples;
      int maxLen = p.integer("max_seq_len", 2048, 16, 131_072);
      if (rejectionK > 0) {
        List<TaskRow> rows =
            Workbench.prompts(
                job.datasetUri(), p.integer("rejection_prompts", 1000, 1, 100_000), digits, seed);
        Path file = dir.resolve("rejection.jsonl");
        RejectionFilter.Result r =
            bench.rejectionSample(
                job.jobId() + "-rs",
                base,
                job.model(),
                rows,
                rejectionK,
                p.number("temperature", 0.7, 1e-3, 10),
                p.integer("max_new_tokens", 48, 1, 32768),
                seed,
                rewardSpec(job),
                RejectionConfig.strict(
                    p.integer("max_new_tokens", 48, 1, 32768),
                    p.integer("max_per_prompt", 2, 1, 256)),
                file,
                general(p),
                p.number("general_share", 0, 0, 0.9),
                this::cancelled);
        metrics.putAll(R1Pipeline.rejectionMetrics(r));
        events.info(
            JobEventType.MESSAGE,
            "Job "
                + job.jobId()
                + " kept "
                + r.kept().size()
                + " of "
                + r.offered()
                + " rejection-sampled traces and wrote them to "
                + file
                + ".",
            R1Pipeline.rejectionMetrics(r));
        examples = SftDataset.examples(tok, prompts, SftDataset.read(file), maxLen).examples();
      } else if (job.datasetUri().startsWith("builtin:arithmetic")) {
        examples =
            TinyArithmeticRecipe.coldStartExamples(
                tok, ArithmeticTask.of(digits, seed).train(p.integer("rows", 4000, 1, 20000)));
      } else {
        SftDataset.Examples ex =
            SftDataset.examples(
                tok, prompts, SftDataset.read(Path.of(URI.create(job.datasetUri()))), maxLen);
        if (ex.droppedTooLong() > 0) {
          events.info(
              JobEventType.MESSAGE,
              "Job "
                  + job.jobId()
                  + " left out "
                  + ex.droppedTooLong()
                  + " rows longer than max_seq_len "
                  + maxLen
                  + ".");
        }
        examples = ex.examples();
      }
      if (examples.isEmpty()) {
        throw new IllegalArgumentException("dataset " + job.datasetUri() + " has no usable rows");
      }
      checkCancelled();
      SftResult result =
          train(
              model, examples, tok.padTokenId(), seed, p, this, (step, m) -> events.step(step, m));
      metrics.put("final_loss", result.finalTrainLoss());
      metrics.put("eval_loss", result.finalEvalLoss());
      bench.register(model, base, dir.resolve("output"), job.jobId(), 1, result.steps().size());
      events.info(
          JobEventType.CHECKPOINT,
          "Job "
              + job.jobId()
              + " registered its model as version 1 (model job:"
              + job.jobId()
              + "@1).",
          Map.of("policy_version", 1.0));
      metrics.put("policy_version", 1.0);
      if (job.datasetUri().startsWith("builtin:arithmetic")) {
        Evaluator.Report rep =
            new Evaluator(model, tok, prompts)
                .evaluate(
                    root,
                    ArithmeticTask.of(digits, seed).heldOut(p.integer("eval_prompts", 48, 1, 5000)),
                    Workbench.options(
                        p.integer("eval_samples", 4, 1, 256),
                        p.number("temperature", 0.7, 1e-3, 10),
                        p.integer("max_new_tokens", 48, 1, 32768),
                        seed + 17));
        metrics.putAll(rep.asMetrics("eval."));
      }
      return new Outcome(
          "Job "
              + job.jobId()
              + " finished "
              + result.steps().size()
              + " SFT steps on "
              + examples.size()
              + " examples (final loss "
              + String.format(java.util.Locale.ROOT, "%.4f", result.finalTrainLoss())
              + "); the model is job:"
              + job.jobId()
              + "@1.",
          metrics);
    }
  }

  /**
   * Prompts through the tokenizer's chat template (the one the sampler uses), with {@code
   * system_prompt} as the system turn (empty = none).
   */
  static ChatPrompts prompts(Params p, Tokenizer tok) {
    String system = p.text("system_prompt", "");
    return new ChatPrompts(tok.chatTemplate(), system.isBlank() ? null : system);
  }

  /** The job's reward spec in the rewards library's form, or the tiny recipe's. */
  static Map<String, Object> rewardSpec(JobSubmitted job) {
    if (job.reward() != null && !job.reward().isEmpty()) {
      Map<String, Object> spec = new LinkedHashMap<>(job.reward());
      if (spec.containsKey("functions") && !spec.containsKey("rewards")) {
        spec.put("rewards", spec.remove("functions"));
      }
      return spec;
    }
    return TinyArithmeticRecipe.rewardSpec();
  }

  static List<SftDataset.Row> general(Params p) {
    String uri = p.text("general_uri", "");
    return uri.isBlank() ? List.of() : SftDataset.read(Path.of(URI.create(uri)));
  }

  /**
   * SFT with the job's schedule: {@code max_steps} (0 = {@code epochs} passes), {@code
   * learning_rate}, {@code batch_size}, {@code warmup_steps} (default a tenth), {@code
   * weight_decay}; {@code eval_fraction} of the examples held out for the eval loss. {@code onStep}
   * gets each step's number and metrics.
   */
  static SftResult train(
      CausalLm model,
      List<SftExample> all,
      int padId,
      long seed,
      Params p,
      JobRun run,
      java.util.function.BiConsumer<Long, Map<String, Double>> onStep) {
    List<SftExample> shuffled = new ArrayList<>(all);
    java.util.Collections.shuffle(shuffled, new java.util.Random(seed));
    double fraction = p.number("eval_fraction", 0.05, 0, 0.5);
    int nEval = shuffled.size() >= 20 ? (int) Math.round(shuffled.size() * fraction) : 0;
    List<SftExample> eval = shuffled.subList(0, nEval);
    List<SftExample> train = shuffled.subList(nEval, shuffled.size());
    int batch = p.integer("batch_size", 16, 1, 4096);
    int steps = p.integer("max_steps", 0, 0, 1_000_000);
    if (steps == 0) {
      steps =
          Math.max(
              1, p.integer("epochs", 3, 1, 100) * (int) Math.ceil(train.size() / (double) batch));
    }
    double lr = p.number("learning_rate", 1e-3, 0, 1);
    int warmup = p.integer("warmup_steps", Math.max(1, steps / 10), 0, 1_000_000);
    SftConfig config =
        new SftConfig(
            batch,
            1,
            steps,
            new LrSchedule(lr, warmup, steps, LrSchedule.Shape.COSINE, 0.1),
            new OptimizerConfig(0.9, 0.99, 1e-8, p.number("weight_decay", 0, 0, 1), 1.0),
            Padding.RIGHT,
            Math.max(1, steps / 10),
            seed,
            padId);
    try (NDManager root = NDManager.newBaseManager()) {
      return Workbench.sft(
          model,
          train,
          eval,
          config,
          root,
          m -> {
            run.checkCancelled();
            onStep.accept((long) m.step(), new LinkedHashMap<>(StepMetricMaps.sft(m)));
          });
    }
  }
}
