package dev.r1.distill.job;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.contracts.EventLevel;
import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.JobSubmitted;
import dev.r1.contracts.Topics;
import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.training.eval.Evaluator;
import dev.r1.training.pipeline.PipelineConfig;
import dev.r1.training.pipeline.R1Pipeline;
import dev.r1.training.recipe.TinyArithmeticRecipe;
import dev.r1.training.rejection.RejectionConfig;
import dev.r1.training.rejection.RejectionFilter;
import dev.r1.training.sft.SftConfig;
import dev.r1.training.sft.SftDataset;
import dev.r1.training.sft.SftExample;
import dev.r1.training.sft.SftResult;
import dev.r1.training.task.ArithmeticTask;
import dev.r1.training.task.ChatPrompts;
import dev.r1.training.task.TaskRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeSet;

/**
 * The R1 pipeline as a job: cold-start SFT -> GRPO -> rejection sampling + SFT -> GRPO ->
 * distillation into a smaller student -> evaluation, on the built-in arithmetic task with {@link
 * PipelineConfig} (preset {@code quick} or {@code default}, any field overridable).
 *
 * <p>SFT, rejection filtering, distillation and evaluation run here; the GRPO stages are child jobs
 * ({@code <id>-s2-grpo}, {@code <id>-s4-grpo}) submitted on {@code r1.jobs.v1} for the
 * trainer-service, whose step metrics are relayed to this job with {@code stage}; rejection
 * sampling goes through the sampler and reward fleet ({@code <id>-s3-rs}, {@code <id>-s5-rs}).
 * Every stage's model is a registered version: {@code job:<id>-s1-cold_start@1}, {@code
 * job:<id>-s2-grpo@N}, {@code job:<id>-s3-rejection_sft@1}, {@code job:<id>-s4-grpo@N}, {@code
 * job:<id>-s5-distill@1}; STAGE_STARTED / STAGE_COMPLETED events carry the stage index, the version
 * and the stage's evaluation.
 */
final class PipelineJob extends JobRun {

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int STAGES = PipelineConfig.STAGES.size();

  private final Map<String, Object> known = new LinkedHashMap<>();
  private final Map<String, Object> ignored = new LinkedHashMap<>();
  private PipelineConfig c;
  private long globalStep;

  PipelineJob(JobSubmitted job, Services services) {
    super(job, services);
    known.put("preset", services.props().defaultPreset());
    var keys = PipelineConfig.keys();
    job.hyperparameters()
        .forEach(
            (k, v) -> {
              if (k.equals("preset") || keys.contains(k)) {
                known.put(k, v);
              } else {
                ignored.put(k, v);
              }
            });
  }

  @Override
  String describe() {
    return "Job "
        + job.jobId()
        + " started the R1 pipeline (preset "
        + known.get("preset")
        + ") from "
        + job.model()
        + ": cold start -> GRPO -> rejection sampling SFT -> GRPO -> distillation -> evaluation.";
  }

  @Override
  Outcome execute() throws Exception {
    c = PipelineConfig.from(known); // a bad value fails the job, naming the hyperparameter
    if (!job.datasetUri().startsWith("builtin:arithmetic")) {
      throw new IllegalArgumentException(
          "datasetUri must be builtin:arithmetic for a pipeline job (its cold start needs worked"
              + " solutions), got "
              + job.datasetUri());
    }
    if (!ignored.isEmpty()) {
      events.info(
          JobEventType.MESSAGE,
          "Job "
              + job.jobId()
              + " ignores hyperparameters "
              + new TreeSet<>(ignored.keySet())
              + "; the pipeline reads "
              + new TreeSet<>(PipelineConfig.keys())
              + ".");
    }
    Workbench bench = new Workbench(services);
    Path base = bench.fetch(job.model(), dir.resolve("base"));
    ArithmeticTask task = ArithmeticTask.of(c.digits(), c.seed());
    List<TaskRow> train = task.train(c.coldStartRows() + c.rsPrompts());
    List<TaskRow> coldRows = train.subList(0, c.coldStartRows());
    List<TaskRow> rlRows = train.subList(c.coldStartRows(), train.size());
    List<TaskRow> rsRows = rlRows.subList(0, Math.min(rlRows.size(), c.rsPrompts()));
    List<TaskRow> heldOut = task.heldOut(Math.max(c.evalPrompts(), c.stageEvalPrompts()));
    Map<String, Object> rewardSpec = SftJob.rewardSpec(job);
    RejectionConfig filter = RejectionConfig.strict(c.maxNewTokens(), c.rsMaxPerPrompt());
    String pid = job.jobId();
    try (Tokenizer tok = Tokenizer.load(base);
        NDManager root = NDManager.newBaseManager()) {
      ChatPrompts prompts = new ChatPrompts(tok.chatTemplate(), null);
      List<TaskRow> stageEval = heldOut.subList(0, c.stageEvalPrompts());

      // 1. cold start
      started(
          1,
          "SFT of a "
              + arch(c.teacherHidden(), c.teacherLayers())
              + " on "
              + coldRows.size()
              + " worked solutions");
      String ref1;
      try (CausalLm teacher =
          Workbench.model(
              base,
              tok,
              c.teacherHidden(),
              c.teacherLayers(),
              c.seed() + 4,
              root,
              "teacher_hidden")) {
        sft(
            1,
            teacher,
            TinyArithmeticRecipe.coldStartExamples(tok, coldRows),
            c.coldStartSteps(),
            c.sftLearningRate(),
            tok);
        ref1 = register(bench, teacher, base, 1, pid + "-s1-cold_start");
        completed(1, ref1, 1, evaluate(teacher, tok, prompts, stageEval, root, 1));
      }

      // 2. GRPO on the trainer-service
      String ref2 = grpo(2, ref1, c.grpo1Steps());
      Path dir2 = bench.fetch(ref2, dir.resolve("stage-2").resolve("model"));
      String ref3;
      try (CausalLm rl = CausalLm.load(dir2, root, DataType.FLOAT32)) {
        completed(2, ref2, version(ref2), evaluate(rl, tok, prompts, stageEval, root, 2));

        // 3. rejection sampling through the fleet, then SFT of the RL model on the kept traces
        started(
            3,
            "rejection sampling of "
                + ref2
                + " ("
                + rsRows.size()
                + " prompts x "
                + c.rsSamples()
                + ") through the sampler and reward fleet, then SFT");
        Path rsFile = dir.resolve("stage-3").resolve("rejection.jsonl");
        RejectionFilter.Result rs =
            bench.rejectionSample(
                pid + "-s3-rs",
                dir2,
                ref2,
                rsRows,
                c.rsSamples(),
                c.temperature(),
                c.maxNewTokens(),
                c.seed() + 11,
                rewardSpec,
                filter,
                rsFile,
                List.of(),
                c.generalShare(),
                this::cancelled);
        message(
            3,
            "kept " + rs.kept().size() + " of " + rs.offered() + " samples in " + rsFile,
            R1Pipeline.rejectionMetrics(rs));
        List<SftExample> rsExamples =
            SftDataset.examples(tok, prompts, SftDataset.read(rsFile), 10_000).examples();
        sft(3, rl, rsExamples, c.rsSftSteps(), c.rsSftLearningRate(), tok);
        ref3 = register(bench, rl, base, 3, pid + "-s3-rejection_sft");
        Map<String, Double> m3 =
            new LinkedHashMap<>(evaluate(rl, tok, prompts, stageEval, root, 3));
        m3.putAll(R1Pipeline.rejectionMetrics(rs));
        completed(3, ref3, 1, m3);
      }

      // 4. GRPO again
      String ref4 = grpo(4, ref3, c.grpo2Steps());
      Path dir4 = bench.fetch(ref4, dir.resolve("stage-4").resolve("model"));
      try (CausalLm teacher = CausalLm.load(dir4, root, DataType.FLOAT32)) {
        completed(4, ref4, version(ref4), evaluate(teacher, tok, prompts, stageEval, root, 4));

        // 5. distillation: the teacher's verified traces into a smaller student
        started(
            5,
            "rejection sampling of "
                + ref4
                + " through the fleet, then SFT of a "
                + arch(c.studentHidden(), c.studentLayers())
                + " student");
        Path traces = dir.resolve("stage-5").resolve("teacher-traces.jsonl");
        RejectionFilter.Result rs =
            bench.rejectionSample(
                pid + "-s5-rs",
                dir4,
                ref4,
                rsRows,
                c.rsSamples(),
                c.temperature(),
                c.maxNewTokens(),
                c.seed() + 13,
                rewardSpec,
                filter,
                traces,
                List.of(),
                c.generalShare(),
                this::cancelled);
        message(
            5,
            "kept " + rs.kept().size() + " of " + rs.offered() + " teacher traces in " + traces,
            R1Pipeline.rejectionMetrics(rs));
        try (CausalLm student =
            Workbench.model(
                base,
                tok,
                Math.max(8, c.studentHidden()),
                c.studentLayers(),
                c.seed() + 5,
                root,
                "student_hidden")) {
          // the student's base: the same cold start as the teacher's (see R1Pipeline)
          sft(
              5,
              student,
              TinyArithmeticRecipe.coldStartExamples(tok, coldRows),
              c.coldStartSteps(),
              c.sftLearningRate(),
              tok);
          R1Pipeline.saveModel(student, base, dir.resolve("stage-5").resolve("student-base"));
          List<SftExample> ex =
              SftDataset.examples(tok, prompts, SftDataset.read(traces), 10_000).examples();
          sft(5, student, ex, c.distillSteps(), c.sftLearningRate(), tok);
          String ref5 = register(bench, student, base, 5, pid + "-s5-distill");
          Map<String, Double> m5 =
              new LinkedHashMap<>(evaluate(student, tok, prompts, stageEval, root, 5));
          m5.putAll(R1Pipeline.rejectionMetrics(rs));
          m5.put("student_parameters", (double) student.config().parameterCount());
          completed(5, ref5, 1, m5);

          // 6. evaluation of the teacher and the student, k samples per prompt
          started(
              6,
              "evaluation of "
                  + ref4
                  + " and "
                  + ref5
                  + " on "
                  + c.evalPrompts()
                  + " held-out prompts x "
                  + c.evalSamples()
                  + " samples");
          Evaluator.Options o =
              Workbench.options(c.evalSamples(), c.temperature(), c.maxNewTokens(), c.seed() + 17);
          List<TaskRow> finalEval = heldOut.subList(0, c.evalPrompts());
          Evaluator.Evaluation te = new Evaluator(teacher, tok, prompts).run(root, finalEval, o);
          Evaluator.Evaluation se = new Evaluator(student, tok, prompts).run(root, finalEval, o);
          Path results = writeResults(ref4, te, ref5, se);
          Map<String, Double> m6 = new LinkedHashMap<>(te.report().asMetrics("eval."));
          m6.putAll(se.report().asMetrics("student.eval."));
          completed(6, ref4, version(ref4), m6);
          return new Outcome(
              String.format(
                  Locale.ROOT,
                  "Job %s finished the R1 pipeline: teacher %s pass@1 %.3f cons@%d %.3f; student %s"
                      + " pass@1 %.3f cons@%d %.3f; results in %s.",
                  pid,
                  ref4,
                  te.report().passAt1(),
                  c.evalSamples(),
                  te.report().consAtK(),
                  ref5,
                  se.report().passAt1(),
                  c.evalSamples(),
                  se.report().consAtK(),
                  results),
              m6);
        }
      }
    }
  }

  private static String arch(int hidden, int layers) {
    return hidden > 0 ? "fresh " + hidden + "-wide " + layers + "-layer model" : "the given model";
  }

  private static long version(String ref) {
    return Long.parseLong(ref.substring(ref.lastIndexOf('@') + 1));
  }

  private void started(int idx, String what) {
    checkCancelled();
    String text =
        "Stage "
            + idx
            + " of "
            + STAGES
            + " ("
            + PipelineConfig.STAGES.get(idx - 1)
            + ") started: "
            + what
            + ".";
    progress(text);
    events.info(JobEventType.STAGE_STARTED, text, Map.of("stage", (double) idx));
  }

  private void completed(int idx, String ref, long version, Map<String, Double> metrics) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("stage", (double) idx);
    m.put("policy_version", (double) version);
    m.putAll(metrics);
    String text =
        String.format(
            Locale.ROOT,
            "Stage %d of %d (%s) completed: model %s; pass@1 %.3f, cons@k %.3f, format %.3f.",
            idx,
            STAGES,
            PipelineConfig.STAGES.get(idx - 1),
            ref,
            metrics.getOrDefault("eval.pass_at_1", Double.NaN),
            metrics.getOrDefault("eval.cons_at_k", Double.NaN),
            metrics.getOrDefault("eval.format_rate", Double.NaN));
    progress(text);
    events.info(JobEventType.STAGE_COMPLETED, text, m);
  }

  private void message(int idx, String text, Map<String, Double> metrics) {
    Map<String, Double> m = new LinkedHashMap<>(metrics);
    m.put("stage", (double) idx);
    events.info(
        JobEventType.MESSAGE, "Job " + job.jobId() + " stage " + idx + ": " + text + ".", m);
  }

  private Map<String, Double> evaluate(
      CausalLm model,
      Tokenizer tok,
      ChatPrompts prompts,
      List<TaskRow> rows,
      NDManager root,
      int idx) {
    return new Evaluator(model, tok, prompts)
        .evaluate(
            root,
            rows,
            Workbench.options(
                c.stageEvalSamples(), c.temperature(), c.maxNewTokens(), c.seed() + idx))
        .asMetrics("eval.");
  }

  private void sft(
      int idx, CausalLm model, List<SftExample> examples, int steps, double lr, Tokenizer tok) {
    if (examples.isEmpty()) {
      throw new IllegalStateException("stage " + idx + " has no SFT examples");
    }
    SftConfig config =
        SftConfig.of(steps, lr, tok.padTokenId()).withBatch(c.sftBatch(), 1).withSeed(c.seed());
    try (NDManager m = NDManager.newBaseManager()) {
      SftResult r =
          Workbench.sft(
              model,
              examples,
              List.of(),
              config,
              m,
              s -> {
                checkCancelled();
                relay(idx, s.step(), dev.r1.training.pipeline.StepMetricMaps.sft(s));
              });
      progress(
          "Stage "
              + idx
              + " SFT finished "
              + r.steps().size()
              + " steps (final loss "
              + r.finalTrainLoss()
              + ").");
    }
  }

  private void relay(int idx, long stageStep, Map<String, Double> metrics) {
    Map<String, Double> m = new LinkedHashMap<>(metrics);
    m.put("stage", (double) idx);
    m.put("stage_step", (double) stageStep);
    events.step(++globalStep, m);
  }

  private String register(
      Workbench bench, CausalLm model, Path tokenizerDir, int idx, String childId)
      throws IOException {
    bench.register(
        model, tokenizerDir, dir.resolve("stage-" + idx).resolve("model"), childId, 1, 0);
    return "job:" + childId + "@1";
  }

  /** Runs a GRPO stage on the trainer-service as a child job; returns its final version's ref. */
  private String grpo(int idx, String from, int steps) throws Exception {
    String child = job.jobId() + "-s" + idx + "-grpo";
    started(
        idx,
        "GRPO on the trainer-service as job "
            + child
            + " from "
            + from
            + " for "
            + steps
            + " steps");
    Map<String, Object> h = new LinkedHashMap<>();
    h.put("group_size", c.groupSize());
    h.put("batch_prompts", c.promptsPerStep());
    h.put("max_steps", steps);
    h.put("learning_rate", c.grpoLearningRate());
    h.put("warmup_steps", Math.min(TinyArithmeticRecipe.WARMUP_STEPS, Math.max(1, steps / 5)));
    h.put("max_new_tokens", c.maxNewTokens());
    h.put("temperature", c.temperature());
    h.put("system_prompt", "");
    h.put("max_staleness", 0);
    h.put("digits", c.digits());
    h.put("seed", (int) c.seed() + idx);
    h.put("micro_batch_size", 128);
    h.put("checkpoint_every", steps);
    services.children().register(child);
    try {
      services
          .publisher()
          .send(
              Topics.JOBS,
              new JobSubmitted(
                  JobSubmitted.SCHEMA_VERSION,
                  child,
                  "grpo",
                  from,
                  job.datasetId(),
                  job.datasetUri(),
                  SftJob.rewardSpec(job),
                  h,
                  job.owner(),
                  Instant.now()));
      Duration timeout = services.props().childJobTimeout();
      long last = System.nanoTime();
      while (true) {
        if (cancelled()) {
          new JobEvents(services.publisher(), child)
              .emit(
                  JobEventType.CANCELLED,
                  EventLevel.INFO,
                  "Pipeline " + job.jobId() + " was cancelled; its stage " + child + " stops.",
                  Map.of(),
                  null);
          throw new CancelledException();
        }
        JobEvent e = services.children().poll(child, Duration.ofMillis(500));
        if (e == null) {
          if (System.nanoTime() - last > timeout.toNanos()) {
            throw new IllegalStateException(
                "stage "
                    + idx
                    + " (grpo) job "
                    + child
                    + " sent no event for "
                    + timeout.toMinutes()
                    + " minutes; is the trainer-service running?");
          }
          continue;
        }
        last = System.nanoTime();
        switch (e.type()) {
          case STEP_METRICS -> relay(idx, e.step() == null ? 0 : e.step() + 1, e.metrics());
          case SUCCEEDED -> {
            long v = services.policy().latestVersion(child);
            return "job:" + child + "@" + v;
          }
          case FAILED, CANCELLED ->
              throw new IllegalStateException(
                  "stage "
                      + idx
                      + " (grpo) job "
                      + child
                      + " ended "
                      + e.type()
                      + ": "
                      + e.message());
          default -> {}
        }
      }
    } finally {
      services.children().unregister(child);
    }
  }

  private Path writeResults(
      String teacherRef, Evaluator.Evaluation te, String studentRef, Evaluator.Evaluation se)
      throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("job_id", job.jobId());
    out.put("config", c.asMap());
    Map<String, Object> t = new LinkedHashMap<>();
    t.put("model", teacherRef);
    t.put("metrics", te.report().asMetrics(""));
    t.put("prompts", te.prompts());
    Map<String, Object> s = new LinkedHashMap<>();
    s.put("model", studentRef);
    s.put("metrics", se.report().asMetrics(""));
    s.put("prompts", se.prompts());
    out.put("teacher", t);
    out.put("student", s);
    Path file = dir.resolve("eval.json");
    Files.createDirectories(dir);
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), out);
    return file;
  }
}
