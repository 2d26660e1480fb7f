package dev.r1.distill.job;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.training.GradientLock;
import dev.r1.training.eval.EvalDatasets;
import dev.r1.training.eval.Evaluator;
import dev.r1.training.pipeline.R1Pipeline;
import dev.r1.training.rejection.Candidate;
import dev.r1.training.rejection.DatasetWriter;
import dev.r1.training.rejection.RejectionConfig;
import dev.r1.training.rejection.RejectionFilter;
import dev.r1.training.sft.SftConfig;
import dev.r1.training.sft.SftDataset;
import dev.r1.training.sft.SftExample;
import dev.r1.training.sft.SftResult;
import dev.r1.training.sft.SftStepMetrics;
import dev.r1.training.sft.SftTrainer;
import dev.r1.training.task.ArithmeticTask;
import dev.r1.training.task.TaskRow;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The steps the jobs share: fetching and registering models, SFT, rejection sampling. */
final class Workbench {

  private static final Logger log = LoggerFactory.getLogger(Workbench.class);

  private final Services services;

  Workbench(Services services) {
    this.services = services;
  }

  /** Downloads a model reference into {@code dir} unless it is already there. */
  Path fetch(String ref, Path dir) throws IOException {
    if (!Files.isRegularFile(dir.resolve("config.json"))) {
      services.policy().downloadModel(ref, dir);
    }
    return dir;
  }

  /**
   * A fresh model of the tiny recipe's architecture with {@code hidden} and {@code layers} over the
   * tokenizer's vocabulary, or the model in {@code folder} when {@code hidden} is 0.
   */
  static CausalLm model(
      Path folder, Tokenizer tok, int hidden, int layers, long seed, NDManager root, String key) {
    if (hidden <= 0) {
      return CausalLm.load(folder, root, DataType.FLOAT32);
    }
    var config = R1Pipeline.modelConfig(hidden, layers);
    if (tok.vocabSize() != config.vocabSize()) {
      throw new IllegalArgumentException(
          "hyperparameters."
              + key
              + " builds a fresh model for the tiny byte tokenizer (vocab "
              + config.vocabSize()
              + "), but the model's tokenizer has "
              + tok.vocabSize()
              + " tokens; set it to 0 to fine-tune the model as it is");
    }
    if (hidden % config.numHeads() != 0) {
      throw new IllegalArgumentException(
          "hyperparameters." + key + " must be a multiple of " + config.numHeads());
    }
    return CausalLm.random(config, seed, root, DataType.FLOAT32);
  }

  /** SFT holding the JVM's gradient lock. */
  static SftResult sft(
      CausalLm model,
      List<SftExample> train,
      List<SftExample> eval,
      SftConfig config,
      NDManager root,
      Consumer<SftStepMetrics> progress) {
    GradientLock.LOCK.lock();
    try (SftTrainer t = new SftTrainer(model, config, root)) {
      return t.train(train, eval, progress);
    } finally {
      GradientLock.LOCK.unlock();
    }
  }

  /** Saves a model with the tokenizer files and registers it as a version of {@code jobId}. */
  void register(CausalLm model, Path tokenizerDir, Path out, String jobId, long version, long step)
      throws IOException {
    R1Pipeline.saveModel(model, tokenizerDir, out);
    services.policy().registerVersion(jobId, version, step, out);
    log.info("Registered {} as version {} of job {}.", out, version, jobId);
  }

  /**
   * Rejection sampling through the fleet: registers the model folder as version 1 of {@code
   * rsJobId}, samples k completions per row, filters them and writes the dataset.
   */
  RejectionFilter.Result rejectionSample(
      String rsJobId,
      Path modelDir,
      String modelRef,
      List<TaskRow> rows,
      int k,
      double temperature,
      int maxNewTokens,
      long seed,
      Map<String, Object> rewardSpec,
      RejectionConfig filter,
      Path datasetFile,
      List<SftDataset.Row> general,
      double generalShare,
      BooleanSupplier cancelled)
      throws IOException, InterruptedException {
    services.policy().registerVersion(rsJobId, 1, 0, modelDir);
    List<Candidate> candidates =
        services
            .fleet()
            .sample(
                new FleetSampler.Request(
                    rsJobId, modelRef, rows, k, temperature, maxNewTokens, seed, rewardSpec),
                cancelled);
    RejectionFilter.Result r = new RejectionFilter(filter).filter(candidates);
    if (r.kept().isEmpty()) {
      throw new IllegalStateException(
          "rejection sampling of "
              + modelRef
              + " kept none of "
              + r.offered()
              + " samples ("
              + r.rejected()
              + ")");
    }
    DatasetWriter.Written w =
        DatasetWriter.write(datasetFile, r.kept(), general, generalShare, seed);
    log.info(
        "Job {} kept {} of {} samples of {} ({}) and wrote {} rows ({} general) to {}.",
        rsJobId,
        r.kept().size(),
        r.offered(),
        modelRef,
        r.rejected(),
        w.rows(),
        w.generalRows(),
        datasetFile);
    return r;
  }

  /** Prompts of a dataset: the built-in task's training split or the first rows of a file. */
  static List<TaskRow> prompts(String datasetUri, int limit, int digits, long seed) {
    if (datasetUri.startsWith("builtin:arithmetic")) {
      return ArithmeticTask.of(digits, seed).train(limit);
    }
    return EvalDatasets.resolve(datasetUri, limit, digits, seed);
  }

  /** Evaluation options. */
  static Evaluator.Options options(int k, double temperature, int maxNewTokens, long seed) {
    return new Evaluator.Options(k, temperature, maxNewTokens, seed, 256);
  }
}
