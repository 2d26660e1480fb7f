package dev.r1.distill.job;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.contracts.JobSubmitted;
import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.training.eval.EvalDatasets;
import dev.r1.training.eval.Evaluator;
import dev.r1.training.task.TaskRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * An evaluation job, in process: k samples per prompt from the job's model on a dataset file
 * (GSM8K, MATH-500 or question/answer JSONL) or the built-in task's held-out split, scored for
 * pass@1 (unbiased, from k samples), pass@k, cons@k (majority vote over normalised answers), format
 * rate, language-consistency rate, mean length and reflection rate. The report and every prompt's
 * outcome are written to {@code <data-dir>/jobs/<id>/eval.json}; the metrics ({@code eval.*})
 * travel in the SUCCEEDED event.
 */
final class EvalJob extends JobRun {

  private static final ObjectMapper JSON = new ObjectMapper();
  private final Params p;

  EvalJob(JobSubmitted job, Services services) {
    super(job, services);
    this.p = new Params(job.hyperparameters());
  }

  @Override
  String describe() {
    return "Job "
        + job.jobId()
        + " started evaluating "
        + job.model()
        + " on "
        + job.datasetUri()
        + " with "
        + p.integer("k", 16, 1, 256)
        + " samples per prompt.";
  }

  @Override
  Outcome execute() throws Exception {
    Path model = new Workbench(services).fetch(job.model(), dir.resolve("model"));
    long seed = p.integer("seed", 0, 0, Integer.MAX_VALUE);
    List<TaskRow> rows =
        EvalDatasets.resolve(
            job.datasetUri(),
            p.integer("prompts", 100, 1, 100_000),
            p.integer("digits", 2, 1, 6),
            seed);
    Evaluator.Options o =
        Workbench.options(
            p.integer("k", 16, 1, 256),
            p.number("temperature", 0.7, 0, 10),
            p.integer("max_new_tokens", 48, 1, 131_072),
            seed);
    Evaluator.Evaluation e;
    try (Tokenizer tok = Tokenizer.load(model);
        NDManager root = NDManager.newBaseManager();
        CausalLm lm = CausalLm.load(model, root, DataType.FLOAT32)) {
      e = new Evaluator(lm, tok, SftJob.prompts(p, tok)).run(root, rows, o);
    }
    checkCancelled();
    Path file = write(dir.resolve("eval.json"), job, e);
    Map<String, Double> metrics = e.report().asMetrics("eval.");
    return new Outcome(
        String.format(
            Locale.ROOT,
            "Job %s evaluated %s on %d prompts of %s: pass@1 %.3f, cons@%d %.3f, format %.3f;"
                + " results in %s.",
            job.jobId(),
            job.model(),
            e.report().prompts(),
            job.datasetUri(),
            e.report().passAt1(),
            e.report().samplesPerPrompt(),
            e.report().consAtK(),
            e.report().formatRate(),
            file),
        metrics);
  }

  /** Writes the report and every prompt's outcome as JSON. */
  static Path write(Path file, JobSubmitted job, Evaluator.Evaluation e) throws IOException {
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("job_id", job.jobId());
    out.put("model", job.model());
    out.put("dataset", job.datasetUri());
    out.put("metrics", e.report().asMetrics(""));
    out.put("prompts", e.prompts());
    Files.createDirectories(file.getParent());
    JSON.writerWithDefaultPrettyPrinter().writeValue(file.toFile(), out);
    return file;
  }
}
