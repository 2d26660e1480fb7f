package dev.r1.training.pipeline;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelConfig;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.model.train.LrSchedule;
import dev.r1.reward.RewardRegistry;
import dev.r1.reward.RewardRunner;
import dev.r1.training.eval.Evaluator;
import dev.r1.training.grpo.GrpoTrainer;
import dev.r1.training.grpo.LocalGrpoLoop;
import dev.r1.training.recipe.TinyArithmeticRecipe;
import dev.r1.training.rejection.Candidate;
import dev.r1.training.rejection.DatasetWriter;
import dev.r1.training.rejection.LocalSampler;
import dev.r1.training.rejection.RejectionConfig;
import dev.r1.training.rejection.RejectionFilter;
import dev.r1.training.sft.SftConfig;
import dev.r1.training.sft.SftDataset;
import dev.r1.training.sft.SftExample;
import dev.r1.training.sft.SftResult;
import dev.r1.training.sft.SftTrainer;
import dev.r1.training.task.ArithmeticTask;
import dev.r1.training.task.ChatPrompts;
import dev.r1.training.task.TaskRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

/**
 * The R1 recipe in one process at tiny scale on the built-in arithmetic task: cold-start SFT on a
 * small curated set of worked solutions, GRPO, rejection sampling from the RL model + SFT, GRPO
 * again, distillation of the teacher's verified traces into a smaller student, and a final
 * evaluation (pass@1 from k samples, cons@k, format, language, length, reflection). Every stage
 * saves its model as a Hugging Face folder under the work folder and is evaluated on held-out
 * problems.
 *
 * <p>The distill-service runs the same stages as jobs (the GRPO ones on the trainer-service over
 * Kafka); this class is the reference and the test bed.
 */
public final class R1Pipeline {

  /** Tokenizer files copied next to each stage's weights. */
  public static final List<String> TOKENIZER_FILES =
      List.of(
          "tokenizer.json",
          "tokenizer_config.json",
          "generation_config.json",
          "special_tokens_map.json",
          "chat_template.jinja");

  /**
   * What one stage produced.
   *
   * @param index 1-based stage index
   * @param name stage name ({@link PipelineConfig#STAGES})
   * @param model the folder of the stage's output model
   * @param eval the evaluation after the stage (the student's for distill)
   * @param seconds wall time of the stage (without its evaluation)
   * @param metrics stage-specific numbers (e.g. rejection kept rate, final loss)
   */
  public record StageResult(
      int index,
      String name,
      Path model,
      Evaluator.Report eval,
      double seconds,
      Map<String, Double> metrics) {}

  /**
   * The pipeline's outcome.
   *
   * @param stages every stage in order
   * @param teacher the final RL model's evaluation (k = evalSamples)
   * @param student the distilled student's evaluation (k = evalSamples)
   * @param distillDataset the teacher traces the student was trained on
   * @param studentBase the student before distillation (random init + the cold start)
   * @param studentTrainSeconds wall time of the student's SFT on the teacher traces
   * @param studentTrainTokens tokens the student's SFT processed (prompt + response)
   */
  public record Result(
      List<StageResult> stages,
      Evaluator.Report teacher,
      Evaluator.Report student,
      Path distillDataset,
      Path studentBase,
      double studentTrainSeconds,
      long studentTrainTokens) {}

  /** Receives progress (all methods optional). */
  public interface Listener {
    default void stageStarted(int index, String name) {}

    default void step(int index, String name, long step, Map<String, Double> metrics) {}

    default void stageCompleted(StageResult result) {}
  }

  private final PipelineConfig config;
  private final Path workDir;
  private final Listener listener;

  public R1Pipeline(PipelineConfig config, Path workDir, Listener listener) {
    this.config = config;
    this.workDir = workDir;
    this.listener = listener == null ? new Listener() {} : listener;
  }

  /** The teacher architecture of a config over a tokenizer's vocabulary. */
  public static ModelConfig modelConfig(int hidden, int layers) {
    ModelConfig r = TinyArithmeticRecipe.modelConfig();
    return new ModelConfig(
        r.modelType(),
        r.vocabSize(),
        hidden,
        hidden * 3,
        layers,
        r.numHeads(),
        r.numKvHeads(),
        hidden / r.numHeads(),
        r.rmsNormEps(),
        r.ropeTheta(),
        r.ropeScaling(),
        r.tieWordEmbeddings(),
        r.attentionBias(),
        r.qkNorm(),
        r.maxPositionEmbeddings(),
        r.bosTokenId(),
        r.eosTokenIds(),
        r.torchDtype());
  }

  /** Runs every stage; the tokenizer folder must hold the tiny byte tokenizer. */
  public Result run(Path tokenizerDir) throws IOException {
    ArithmeticTask task = ArithmeticTask.of(config.digits(), config.seed());
    List<TaskRow> train = task.train(config.coldStartRows() + Math.max(config.rsPrompts(), 2000));
    List<TaskRow> coldRows = train.subList(0, config.coldStartRows());
    List<TaskRow> rlRows = train.subList(config.coldStartRows(), train.size());
    List<TaskRow> heldOut = task.heldOut(Math.max(config.evalPrompts(), config.stageEvalPrompts()));
    List<TaskRow> stageEval = heldOut.subList(0, config.stageEvalPrompts());
    List<TaskRow> finalEval = heldOut.subList(0, config.evalPrompts());
    ChatPrompts prompts = TinyArithmeticRecipe.prompts();
    List<StageResult> stages = new ArrayList<>();
    try (Tokenizer tok = Tokenizer.load(tokenizerDir);
        NDManager root = NDManager.newBaseManager();
        CausalLm teacher =
            CausalLm.random(
                modelConfig(config.teacherHidden(), config.teacherLayers()),
                config.seed() + 4,
                root,
                DataType.FLOAT32);
        RewardRunner rewards =
            RewardRunner.of(TinyArithmeticRecipe.rewardSpec(), RewardRegistry.builtins(), 2)) {
      // 1. cold start
      int idx = 1;
      start(idx);
      long t0 = System.nanoTime();
      SftResult cold =
          sft(
              teacher,
              TinyArithmeticRecipe.coldStartExamples(tok, coldRows),
              config.coldStartSteps(),
              config.sftLearningRate(),
              tok.padTokenId(),
              root,
              idx);
      stages.add(
          finish(
              idx,
              teacher,
              tok,
              tokenizerDir,
              prompts,
              root,
              stageEval,
              t0,
              Map.of("final_loss", cold.finalTrainLoss())));

      // 2. GRPO
      idx = 2;
      start(idx);
      t0 = System.nanoTime();
      grpo(teacher, tok, prompts, rewards, rlRows, config.grpo1Steps(), root, idx, 1);
      stages.add(finish(idx, teacher, tok, tokenizerDir, prompts, root, stageEval, t0, Map.of()));

      // 3. rejection sampling + SFT (continuing the RL model)
      idx = 3;
      start(idx);
      t0 = System.nanoTime();
      Path rsFile = stageDir(idx).resolve("rejection.jsonl");
      RejectionFilter.Result rs =
          rejection(teacher, tok, prompts, rewards, rlRows, root, rsFile, stageRef(2), 11);
      List<SftExample> rsExamples =
          SftDataset.examples(tok, prompts, SftDataset.read(rsFile), 10_000).examples();
      SftResult rsSft =
          sft(
              teacher,
              rsExamples,
              config.rsSftSteps(),
              config.rsSftLearningRate(),
              tok.padTokenId(),
              root,
              idx);
      Map<String, Double> rsMetrics = new LinkedHashMap<>(rejectionMetrics(rs));
      rsMetrics.put("final_loss", rsSft.finalTrainLoss());
      stages.add(finish(idx, teacher, tok, tokenizerDir, prompts, root, stageEval, t0, rsMetrics));

      // 4. GRPO again
      idx = 4;
      start(idx);
      t0 = System.nanoTime();
      grpo(teacher, tok, prompts, rewards, rlRows, config.grpo2Steps(), root, idx, 2);
      stages.add(finish(idx, teacher, tok, tokenizerDir, prompts, root, stageEval, t0, Map.of()));

      // 5. distillation into a smaller student
      idx = 5;
      start(idx);
      t0 = System.nanoTime();
      Path distillFile = stageDir(idx).resolve("teacher-traces.jsonl");
      RejectionFilter.Result traces =
          rejection(teacher, tok, prompts, rewards, rlRows, root, distillFile, stageRef(4), 13);
      List<SftExample> distillExamples =
          SftDataset.examples(tok, prompts, SftDataset.read(distillFile), 10_000).examples();
      Map<String, Double> dm = new LinkedHashMap<>(rejectionMetrics(traces));
      Evaluator.Report teacherFinal;
      Evaluator.Report studentFinal;
      double studentSeconds;
      long studentTokens = tokens(distillExamples, config.distillSteps(), config.sftBatch());
      Path studentBase = stageDir(idx).resolve("student-base");
      try (CausalLm student =
          CausalLm.random(
              modelConfig(config.studentHidden(), config.studentLayers()),
              config.seed() + 5,
              root,
              DataType.FLOAT32)) {
        // the student's "base model": the same cold start as the teacher's (the article distils
        // into pretrained bases; this is ours), saved so a GRPO-only baseline can start from it
        sft(
            student,
            TinyArithmeticRecipe.coldStartExamples(tok, coldRows),
            config.coldStartSteps(),
            config.sftLearningRate(),
            tok.padTokenId(),
            root,
            idx);
        saveModel(student, tokenizerDir, studentBase);
        long s0 = System.nanoTime();
        SftResult ds =
            sft(
                student,
                distillExamples,
                config.distillSteps(),
                config.sftLearningRate(),
                tok.padTokenId(),
                root,
                idx);
        studentSeconds = (System.nanoTime() - s0) / 1e9;
        dm.put("final_loss", ds.finalTrainLoss());
        dm.put("student_train_seconds", studentSeconds);
        dm.put("student_parameters", (double) student.config().parameterCount());
        stages.add(finish(idx, student, tok, tokenizerDir, prompts, root, stageEval, t0, dm));

        // 6. evaluation of the teacher and the student with k samples per prompt
        idx = 6;
        start(idx);
        t0 = System.nanoTime();
        Evaluator.Options o =
            new Evaluator.Options(
                config.evalSamples(),
                config.temperature(),
                config.maxNewTokens(),
                config.seed() + 17,
                256);
        teacherFinal = new Evaluator(teacher, tok, prompts).evaluate(root, finalEval, o);
        studentFinal = new Evaluator(student, tok, prompts).evaluate(root, finalEval, o);
        Map<String, Double> em = new LinkedHashMap<>(studentFinal.asMetrics("student.eval."));
        StageResult last =
            new StageResult(
                idx, "eval", stageDir(4), teacherFinal, (System.nanoTime() - t0) / 1e9, em);
        stages.add(last);
        listener.stageCompleted(last);
      }
      return new Result(
          List.copyOf(stages),
          teacherFinal,
          studentFinal,
          distillFile,
          studentBase,
          studentSeconds,
          studentTokens);
    }
  }

  /** Tokens an SFT run of {@code steps} x {@code batch} examples processes on average. */
  public static long tokens(List<SftExample> examples, int steps, int batch) {
    double mean = examples.stream().mapToInt(SftExample::length).average().orElse(0);
    return Math.round(mean * steps * batch);
  }

  private void start(int idx) {
    listener.stageStarted(idx, PipelineConfig.STAGES.get(idx - 1));
  }

  private Path stageDir(int idx) {
    return workDir.resolve("stage-" + idx + "-" + PipelineConfig.STAGES.get(idx - 1));
  }

  private String stageRef(int idx) {
    return "local:" + stageDir(idx).resolve("model");
  }

  private StageResult finish(
      int idx,
      CausalLm model,
      Tokenizer tok,
      Path tokenizerDir,
      ChatPrompts prompts,
      NDManager root,
      List<TaskRow> eval,
      long t0,
      Map<String, Double> metrics)
      throws IOException {
    double seconds = (System.nanoTime() - t0) / 1e9;
    Path out = stageDir(idx).resolve("model");
    saveModel(model, tokenizerDir, out);
    Evaluator.Report report =
        new Evaluator(model, tok, prompts)
            .evaluate(
                root,
                eval,
                new Evaluator.Options(
                    config.stageEvalSamples(),
                    config.temperature(),
                    config.maxNewTokens(),
                    config.seed() + idx,
                    256));
    StageResult r =
        new StageResult(
            idx, PipelineConfig.STAGES.get(idx - 1), out, report, seconds, Map.copyOf(metrics));
    listener.stageCompleted(r);
    return r;
  }

  /** Saves a model as a Hugging Face folder with the tokenizer files beside it. */
  public static void saveModel(CausalLm model, Path tokenizerDir, Path out) throws IOException {
    model.save(out);
    for (String f : TOKENIZER_FILES) {
      if (Files.isRegularFile(tokenizerDir.resolve(f))) {
        Files.copy(tokenizerDir.resolve(f), out.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
    }
  }

  private SftResult sft(
      CausalLm model,
      List<SftExample> examples,
      int steps,
      double lr,
      int pad,
      NDManager root,
      int idx) {
    try (SftTrainer t =
        new SftTrainer(
            model,
            SftConfig.of(steps, lr, pad).withBatch(config.sftBatch(), 1).withSeed(config.seed()),
            root)) {
      String name = PipelineConfig.STAGES.get(idx - 1);
      return t.train(
          examples, List.of(), m -> listener.step(idx, name, m.step(), StepMetricMaps.sft(m)));
    }
  }

  /** Runs GRPO steps in process (the service runs them on the trainer-service). */
  private void grpo(
      CausalLm model,
      Tokenizer tok,
      ChatPrompts prompts,
      RewardRunner rewards,
      List<TaskRow> rows,
      int steps,
      NDManager root,
      int idx,
      long seedOffset) {
    String name = PipelineConfig.STAGES.get(idx - 1);
    try (GrpoTrainer trainer = new GrpoTrainer(model, null, grpoConfig(tok, steps), root)) {
      new LocalGrpoLoop(
              model,
              tok,
              prompts,
              rewards,
              trainer,
              new LocalGrpoLoop.Config(
                  steps,
                  config.promptsPerStep(),
                  config.groupSize(),
                  config.maxNewTokens(),
                  config.temperature(),
                  config.seed() * 31 + seedOffset))
          .run(root, rows, r -> listener.step(idx, name, r.step(), StepMetricMaps.grpo(r)));
    }
  }

  /** The recipe's GRPO settings with this config's rate and a warmup of at most a fifth. */
  public dev.r1.training.grpo.GrpoTrainerConfig grpoConfig(Tokenizer tok, int steps) {
    int warmup = Math.min(TinyArithmeticRecipe.WARMUP_STEPS, Math.max(1, steps / 5));
    return TinyArithmeticRecipe.grpoConfig(tok.padTokenId(), steps)
        .withSchedule(
            new LrSchedule(
                config.grpoLearningRate(), warmup, steps, LrSchedule.Shape.CONSTANT, 1.0));
  }

  private RejectionFilter.Result rejection(
      CausalLm model,
      Tokenizer tok,
      ChatPrompts prompts,
      RewardRunner rewards,
      List<TaskRow> rows,
      NDManager root,
      Path file,
      String modelRef,
      long seedOffset)
      throws IOException {
    List<TaskRow> sampleRows = rows.subList(0, Math.min(rows.size(), config.rsPrompts()));
    List<Candidate> candidates =
        new LocalSampler(model, tok, prompts, rewards)
            .sample(
                root,
                sampleRows,
                config.rsSamples(),
                config.temperature(),
                config.maxNewTokens(),
                config.seed() * 131 + seedOffset,
                256,
                modelRef,
                0);
    RejectionFilter.Result r =
        new RejectionFilter(RejectionConfig.strict(config.maxNewTokens(), config.rsMaxPerPrompt()))
            .filter(candidates);
    if (r.kept().isEmpty()) {
      throw new IllegalStateException(
          "rejection sampling kept no trace of "
              + candidates.size()
              + " samples ("
              + r.rejected()
              + "); the model solves none of the prompts");
    }
    DatasetWriter.write(file, r.kept(), List.of(), config.generalShare(), config.seed());
    return r;
  }

  /**
   * The filter's outcome as metrics: rs.offered, rs.kept, rs.kept_rate, rs.rejected.&lt;reason&gt;.
   */
  public static Map<String, Double> rejectionMetrics(RejectionFilter.Result r) {
    Map<String, Double> m = new LinkedHashMap<>();
    m.put("rs.offered", (double) r.offered());
    m.put("rs.kept", (double) r.kept().size());
    m.put("rs.kept_rate", r.keptRate());
    r.rejected().forEach((k, v) -> m.put("rs.rejected." + k, (double) v));
    return m;
  }

  /** Deletes a folder tree (for callers cleaning up stage outputs). */
  public static void deleteTree(Path p) {
    if (!Files.exists(p)) {
      return;
    }
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
