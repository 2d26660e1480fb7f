package dev.r1.distill.job;

import ai.djl.ndarray.NDManager;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.JobSubmitted;
import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.training.eval.Evaluator;
import dev.r1.training.pipeline.R1Pipeline;
import dev.r1.training.rejection.RejectionConfig;
import dev.r1.training.rejection.RejectionFilter;
import dev.r1.training.sft.SftDataset;
import dev.r1.training.sft.SftExample;
import dev.r1.training.sft.SftResult;
import dev.r1.training.task.ArithmeticTask;
import dev.r1.training.task.ChatPrompts;
import dev.r1.training.task.TaskRow;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * A distillation job: the teacher ({@code teacher_model}, a registry name or {@code
 * job:<id>@<version>}) is rejection sampled through the fleet on the dataset's prompts ({@code
 * samples_per_prompt} each; correct, well-formed, language-consistent, short, distinct traces
 * kept), and the student (the job's {@code model}, or a fresh model of {@code student_hidden} x
 * {@code student_layers} over its tokenizer) is fine-tuned on the verified traces. The student is
 * registered as version 1 of the job; the traces stay in {@code <data-dir>/jobs/<id>/}.
 */
final class DistillJob extends JobRun {

  private final Params p;

  DistillJob(JobSubmitted job, Services services) {
    super(job, services);
    this.p = new Params(job.hyperparameters());
  }

  @Override
  String describe() {
    return "Job "
        + job.jobId()
        + " started distilling "
        + p.text("teacher_model", "(no teacher)")
        + " into "
        + (p.integer("student_hidden", 0, 0, 4096) > 0
            ? "a fresh " + p.integer("student_hidden", 0, 0, 4096) + "-wide student"
            : job.model())
        + " on "
        + job.datasetUri()
        + ".";
  }

  @Override
  Outcome execute() throws Exception {
    Workbench bench = new Workbench(services);
    String teacherRef = p.required("teacher_model");
    long seed = p.integer("seed", 0, 0, Integer.MAX_VALUE);
    int digits = p.integer("digits", 2, 1, 6);
    int maxNew = p.integer("max_new_tokens", 48, 1, 131_072);
    Path teacher = bench.fetch(teacherRef, dir.resolve("teacher"));
    Path studentBase = bench.fetch(job.model(), dir.resolve("student-base"));
    List<TaskRow> rows =
        Workbench.prompts(job.datasetUri(), p.integer("prompts", 1000, 1, 100_000), digits, seed);
    Path traces = dir.resolve("teacher-traces.jsonl");
    RejectionFilter.Result r =
        bench.rejectionSample(
            job.jobId() + "-rs",
            teacher,
            teacherRef,
            rows,
            p.integer("samples_per_prompt", 4, 1, 256),
            p.number("temperature", 0.7, 1e-3, 10),
            maxNew,
            seed,
            SftJob.rewardSpec(job),
            RejectionConfig.strict(maxNew, p.integer("max_per_prompt", 2, 1, 256)),
            traces,
            SftJob.general(p),
            p.number("general_share", 0, 0, 0.9),
            this::cancelled);
    Map<String, Double> metrics = new LinkedHashMap<>(R1Pipeline.rejectionMetrics(r));
    events.info(
        JobEventType.MESSAGE,
        "Job "
            + job.jobId()
            + " kept "
            + r.kept().size()
            + " of "
            + r.offered()
            + " teacher traces of "
            + teacherRef
            + " in "
            + traces
            + ".",
        R1Pipeline.rejectionMetrics(r));
    checkCancelled();
    try (Tokenizer tok = Tokenizer.load(studentBase);
        NDManager root = NDManager.newBaseManager();
        CausalLm student =
            Workbench.model(
                studentBase,
                tok,
                p.integer("student_hidden", 0, 0, 4096),
                p.integer("student_layers", 2, 1, 64),
                seed + 5,
                root,
                "student_hidden")) {
      ChatPrompts prompts = SftJob.prompts(p, tok);
      List<SftExample> examples =
          SftDataset.examples(
                  tok,
                  prompts,
                  SftDataset.read(traces),
                  p.integer("max_seq_len", 2048, 16, 131_072))
              .examples();
      SftResult result =
          SftJob.train(
              student, examples, tok.padTokenId(), seed, p, this, (s, m) -> events.step(s, m));
      metrics.put("final_loss", result.finalTrainLoss());
      metrics.put("eval_loss", result.finalEvalLoss());
      metrics.put("student_parameters", (double) student.config().parameterCount());
      bench.register(
          student, studentBase, dir.resolve("output"), job.jobId(), 1, result.steps().size());
      metrics.put("policy_version", 1.0);
      events.info(
          JobEventType.CHECKPOINT,
          "Job "
              + job.jobId()
              + " registered the student as version 1 (model job:"
              + job.jobId()
              + "@1).",
          Map.of("policy_version", 1.0));
      if (job.datasetUri().startsWith("builtin:arithmetic")) {
        Evaluator.Report rep =
            new Evaluator(student, tok, prompts)
                .evaluate(
                    root,
                    ArithmeticTask.of(digits, seed).heldOut(p.integer("eval_prompts", 48, 1, 5000)),
                    Workbench.options(
                        p.integer("eval_samples", 4, 1, 256),
                        p.number("temperature", 0.7, 1e-3, 10),
                        maxNew,
                        seed + 17));
        metrics.putAll(rep.asMetrics("eval."));
      }
      return new Outcome(
          String.format(
              Locale.ROOT,
              "Job %s distilled %d verified traces of %s into job:%s@1 (%d SFT steps, final loss"
                  + " %.4f).",
              job.jobId(),
              r.kept().size(),
              teacherRef,
              job.jobId(),
              result.steps().size(),
              result.finalTrainLoss()),
          metrics);
    }
  }
}
