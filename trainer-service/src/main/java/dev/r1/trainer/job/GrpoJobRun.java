package dev.r1.trainer.job;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import dev.r1.contracts.ChatMessage;
import dev.r1.contracts.Completion;
import dev.r1.contracts.CompletionScore;
import dev.r1.contracts.EventLevel;
import dev.r1.contracts.FinishReason;
import dev.r1.contracts.GroupRef;
import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.JobSubmitted;
import dev.r1.contracts.PromptTask;
import dev.r1.contracts.RewardComponent;
import dev.r1.contracts.SamplingParams;
import dev.r1.contracts.ScoredGroup;
import dev.r1.contracts.Topics;
import dev.r1.contracts.TrainingBatch;
import dev.r1.model.CausalLm;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.model.train.TrainingCheckpoint;
import dev.r1.trainer.TrainerProperties;
import dev.r1.trainer.messaging.Publisher;
import dev.r1.trainer.metrics.TrainerMetrics;
import dev.r1.trainer.policy.PolicyClient;
import dev.r1.training.grpo.GrpoStepMetrics;
import dev.r1.training.grpo.GrpoTrainer;
import dev.r1.training.grpo.PromptGroup;
import dev.r1.training.grpo.SampledCompletion;
import dev.r1.training.reflection.ReflectionPhrases;
import dev.r1.training.task.ChatPrompts;
import dev.r1.training.task.TaskRow;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.Stream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One GRPO job: publishes prompts at most {@code max_staleness} policy versions ahead of the
 * update, assembles each step's batch from the scored groups that come back (dropping stale and
 * duplicate groups), runs the update, publishes the new weights through the policy-service, and
 * checkpoints every {@code checkpoint_every} steps so a restarted trainer resumes where it was.
 */
final class GrpoJobRun implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(GrpoJobRun.class);
  static final String SOURCE = "trainer-service";
  static final String DEFAULT_REWARD_SPEC_NOTE = "accuracy 1.0 + format 0.2";
  private static final List<String> TOKENIZER_FILES =
      List.of(
          "tokenizer.json",
          "tokenizer_config.json",
          "generation_config.json",
          "special_tokens_map.json",
          "chat_template.jinja");

  private final JobSubmitted job;
  private final TrainerProperties props;
  private final PolicyClient policy;
  private final Publisher publisher;
  private final TrainerMetrics metrics;
  private final BlockingQueue<Delivered> inbox = new LinkedBlockingQueue<>();
  private final Map<String, PromptTask> outstanding = new ConcurrentHashMap<>();

  /** Group ids received, to name the reason of a drop (bounded: only recent ids matter). */
  private final Set<String> seen =
      Collections.synchronizedSet(
          Collections.newSetFromMap(
              new LinkedHashMap<>() {
                @Override
                protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
                  return size() > 100_000;
                }
              }));

  /** The most recent trained group ids (see {@link JobStatus#trainedGroups()}). */
  private final java.util.ArrayDeque<String> trained = new java.util.ArrayDeque<>();

  private final AtomicLong trainedCount = new AtomicLong();
  private final Map<String, Long> dropped = new ConcurrentHashMap<>();
  private final AtomicLong sequence = new AtomicLong();
  private final java.util.concurrent.ExecutorService uploader =
      java.util.concurrent.Executors.newSingleThreadExecutor(
          r -> {
            Thread t = new Thread(r, "grpo-version-upload");
            t.setDaemon(true);
            return t;
          });
  private volatile CompletableFuture<Void> pendingPublish;
  private volatile boolean cancelled;
  private volatile boolean shutdown;
  private volatile boolean paused;
  private volatile String state = "queued";
  private volatile String message = "";
  private volatile long step;
  private volatile long version;
  private volatile long maxSteps;
  private long checkpointEvery = 1;
  private volatile Map<String, Double> lastMetrics = Map.of();

  /**
   * An on-policy step publishes the next step's prompts before its update only while updates take
   * less than this: a sampler waits {@code r1.sampler.version-wait} (10 s by default) for a
   * requested version before it samples with an older one, which this trainer would drop as stale.
   */
  static final long LOOKAHEAD_MAX_UPDATE_NANOS = 5_000_000_000L;

  /** How long the last step took from collected batch to updated weights. */
  private long lastUpdateNanos;

  private record Delivered(ScoredGroup group, int partition, long offset) {}

  GrpoJobRun(
      JobSubmitted job,
      TrainerProperties props,
      PolicyClient policy,
      Publisher publisher,
      TrainerMetrics metrics) {
    this.job = job;
    this.props = props;
    this.policy = policy;
    this.publisher = publisher;
    this.metrics = metrics;
  }

  void deliver(ScoredGroup group, int partition, long offset) {
    inbox.add(new Delivered(group, partition, offset));
  }

  void cancel() {
    cancelled = true;
  }

  /**
   * Stops the run because the trainer shuts down: unlike {@link #cancel()} the job is not over, and
   * a restarted trainer resumes it from its checkpoint.
   */
  void stopForShutdown() {
    shutdown = true;
    cancelled = true;
  }

  void pause(boolean p) {
    paused = p;
  }

  private List<String> recentTrained() {
    synchronized (trained) {
      return List.copyOf(trained);
    }
  }

  private void recordTrained(String groupId) {
    synchronized (trained) {
      trained.addLast(groupId);
      if (trained.size() > JobStatus.RECENT_TRAINED_GROUPS) {
        trained.removeFirst();
      }
    }
    trainedCount.incrementAndGet();
  }

  JobStatus status() {
    return new JobStatus(
        job.jobId(),
        state,
        step,
        maxSteps,
        version,
        lastMetrics,
        trainedCount.get(),
        recentTrained(),
        Map.copyOf(dropped),
        message);
  }

  @Override
  public void run() {
    try {
      // load the engine first: JniUtils before it fails silently in a JVM where nothing loaded it
      ai.djl.engine.Engine.getInstance();
      // like DJL's own thread: no autograd graph outside a GradientCollector (grad mode is per
      // thread in PyTorch and on by default in new threads)
      ai.djl.pytorch.jni.JniUtils.setGradMode(false);
      train();
    } catch (CancelledException e) {
      if (shutdown) {
        interrupted(null);
        return;
      }
      state = "cancelled";
      message = "Job " + job.jobId() + " was cancelled at step " + step + ".";
      log.info(message);
      event(JobEventType.CANCELLED, EventLevel.INFO, message);
    } catch (Throwable t) {
      if (shutdown) {
        // the trainer is stopping: a wait interrupted or a client closed under the step is not
        // the job's failure (a FAILED event would end a job that the restarted trainer resumes)
        interrupted(t);
        return;
      }
      state = "failed";
      message =
          "Job "
              + job.jobId()
              + " failed at step "
              + step
              + ": "
              + (t.getMessage() == null ? t.toString() : t.getMessage());
      log.error(message, t);
      try {
        event(JobEventType.FAILED, EventLevel.ERROR, message);
      } catch (RuntimeException e) {
        log.error("Could not report the failure of job {}.", job.jobId(), e);
      }
    } finally {
      uploader.shutdown();
      if (!shutdown) {
        JobManager.markFinished(props.workDir(), job.jobId(), state);
      }
    }
  }

  private void interrupted(Throwable cause) {
    state = "interrupted";
    message =
        "Job "
            + job.jobId()
            + " stopped with the trainer at step "
            + step
            + "; a restarted trainer resumes it from its last checkpoint"
            + (cause == null ? "." : " (the step in progress ended with " + cause + ").");
    log.info(message);
  }

  private void train() throws Exception {
    GrpoJobSpec spec = GrpoJobSpec.from(job.hyperparameters());
    maxSteps = spec.maxSteps();
    checkpointEvery = spec.checkpointEvery();
    state = "running";
    event(
        JobEventType.RUNNING,
        EventLevel.INFO,
        "Job "
            + job.jobId()
            + " started GRPO on "
            + job.model()
            + " for "
            + spec.maxSteps()
            + " steps with "
            + spec.batchPrompts()
            + " prompts x "
            + spec.groupSize()
            + " completions per step.");
    Path dir = props.workDir().resolve("jobs").resolve(job.jobId());
    Path base = dir.resolve("base");
    Path checkpoint = dir.resolve("checkpoint");
    boolean resume = Files.isRegularFile(checkpoint.resolve(TrainingCheckpoint.STATE_FILE));
    if (!Files.isRegularFile(base.resolve("config.json"))) {
      policy.downloadModel(job.model(), base);
    }
    List<TaskRow> rows = TaskSource.rows(job.datasetUri(), spec);
    Map<String, Object> rewardSpec = rewardSpec();
    try (Tokenizer tok = Tokenizer.load(base);
        NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.load(resume ? checkpoint : base, root, DataType.FLOAT32);
        CausalLm reference = spec.beta() > 0 ? CausalLm.load(base, root, DataType.FLOAT32) : null;
        GrpoTrainer trainer =
            new GrpoTrainer(model, reference, spec.trainerConfig(tok.padTokenId()), root)) {
      if (resume) {
        TrainingCheckpoint.State s = TrainingCheckpoint.restore(checkpoint, trainer.optimizer());
        step = s.step();
        version = ((Number) s.extra().getOrDefault("policy_version", s.step())).longValue();
        trainer.setPolicyVersion(version);
        log.info(
            "Job {} resumed from its checkpoint at step {} (policy version {}).",
            job.jobId(),
            step,
            version);
        long latest = policy.latestVersion(job.jobId());
        if (latest > version) {
          // the crashed run published versions after this checkpoint; versions only grow, so the
          // checkpoint's weights become the next one and samplers leave the abandoned ones
          log.info(
              "Job {} re-publishes its checkpoint weights (step {}, policy version {}) as version"
                  + " {}: the policy-service already holds versions up to {} from before the"
                  + " restart.",
              job.jobId(),
              step,
              version,
              latest + 1,
              latest);
          version = latest + 1;
          trainer.setPolicyVersion(version);
          publishVersion(model, base, dir, version, step);
        }
      } else {
        // Version 0 is every sampler's own base model; a job's policy versions start at 1, its
        // starting weights, which samplers must load before they sample the job's first prompt
        // (above any versions a run that crashed before its first checkpoint published).
        version = policy.latestVersion(job.jobId()) + 1;
        trainer.setPolicyVersion(version);
        publishVersion(model, base, dir, version, 0);
        awaitPublished(); // samplers fetch it before the job's first prompt: it must exist first
      }
      ChatPrompts prompts =
          new ChatPrompts(
              tok.chatTemplate(), spec.systemPrompt().isBlank() ? null : spec.systemPrompt());
      long scheduled = step;
      while (step < spec.maxSteps()) {
        awaitResume();
        long tSchedule = System.nanoTime();
        while (scheduled <= step + spec.maxStaleness() && scheduled < spec.maxSteps()) {
          publishPrompts(spec, rows, scheduled++, rewardSpec, onPolicyVersion(spec, version));
        }
        long t0 = System.nanoTime();
        double scheduleSeconds = (t0 - tSchedule) / 1e9;
        List<Delivered> batch = collect(spec, tok, prompts);
        long tCollected = System.nanoTime();
        double waitSeconds = (tCollected - t0) / 1e9;
        List<PromptGroup> groups = new ArrayList<>();
        for (Delivered d : batch) {
          groups.add(toPromptGroup(d.group(), tok, prompts));
        }
        double prepareSeconds = (System.nanoTime() - tCollected) / 1e9;
        // on-policy: the next step's prompts go out now, asking for the version this update will
        // publish, so the samplers hold them (tokenised, waiting) when the weights arrive
        CompletableFuture<Void> ahead = null;
        if (spec.maxStaleness() == 0
            && scheduled == step + 1
            && scheduled < spec.maxSteps()
            && lastUpdateNanos < LOOKAHEAD_MAX_UPDATE_NANOS) {
          ahead =
              publisher.sendAllAsync(
                  Topics.PROMPTS, prompts(spec, rows, scheduled++, rewardSpec, version + 1));
        }
        GrpoStepMetrics m;
        long nonFiniteBefore;
        JobManager.UPDATE_LOCK.lock();
        try {
          nonFiniteBefore = trainer.nonFiniteSkips();
          m = trainer.update(groups);
        } finally {
          JobManager.UPDATE_LOCK.unlock();
        }
        long t1 = System.nanoTime();
        lastUpdateNanos = t1 - tCollected;
        if (ahead != null) {
          Publisher.await(Topics.PROMPTS, ahead);
        }
        long trainedStep = step;
        if (trainer.nonFiniteSkips() > nonFiniteBefore) {
          // NaN or infinite loss/gradient: AdamW refused the step; the bad update never reaches
          // the weights, and no version is published
          log.warn(
              "Job {} step {} had a non-finite loss or gradient (loss {}, gradient norm {}); the"
                  + " update was skipped and policy version {} stays current.",
              job.jobId(),
              trainedStep + 1,
              m.loss(),
              m.gradNorm(),
              version);
          metrics.nonFiniteSkip(job.jobId());
          event(
              JobEventType.MESSAGE,
              EventLevel.WARN,
              "Job "
                  + job.jobId()
                  + " step "
                  + (trainedStep + 1)
                  + " skipped its update: "
                  + trainer.lastNonFiniteReason()
                  + "; policy version "
                  + version
                  + " stays current.");
          if (ahead != null) {
            republishUnchanged(trainer, model, base, dir, trainedStep + 1);
          }
        } else if (m.skipped()) {
          // every group had equal rewards (or every token was masked): the weights did not move
          log.info(
              "Job {} step {} changed nothing (no group with a reward spread); policy"
                  + " version {} stays current.",
              job.jobId(),
              trainedStep + 1,
              version);
          if (ahead != null) {
            republishUnchanged(trainer, model, base, dir, trainedStep + 1);
          }
        } else {
          version = trainer.policyVersion();
          publishVersion(model, base, dir, version, trainedStep + 1);
        }
        for (Delivered d : batch) {
          recordTrained(d.group().groupId());
        }
        publisher.send(
            Topics.TRAINING_BATCHES,
            TrainingBatch.of(
                job.jobId(),
                job.jobId() + "-step-" + trainedStep,
                trainedStep,
                version,
                batch.stream()
                    .map(d -> GroupRef.of(d.group(), d.partition(), d.offset()))
                    .toList()));
        Map<String, Double> values = new LinkedHashMap<>(TrainerMetrics.asMap(m, waitSeconds));
        values.put("reflection_rate", reflectionRate(batch));
        lastMetrics = values;
        step = trainedStep + 1;
        if (step % spec.checkpointEvery() == 0 || step == spec.maxSteps()) {
          awaitPublished(); // a checkpoint never names a version the policy-service lacks
          TrainingCheckpoint.save(
              checkpoint,
              model,
              trainer.optimizer(),
              new TrainingCheckpoint.State(step, spec.seed(), Map.of("policy_version", version)));
          event(
              JobEventType.CHECKPOINT,
              EventLevel.INFO,
              "Job "
                  + job.jobId()
                  + " saved a checkpoint at step "
                  + step
                  + " (policy version "
                  + version
                  + ").");
        }
        double publishSeconds = (System.nanoTime() - t1) / 1e9;
        values.put("schedule_seconds", scheduleSeconds);
        values.put("prepare_seconds", prepareSeconds);
        values.put("publish_seconds", publishSeconds);
        metrics.record(job.jobId(), values, waitSeconds, m.updateSeconds(), publishSeconds);
        publisher.send(
            Topics.JOB_EVENTS,
            JobEvent.stepMetrics(
                job.jobId(),
                sequence.incrementAndGet(),
                SOURCE,
                trainedStep,
                values,
                Instant.now()));
        log.info("Job {} step {} of {}: {}", job.jobId(), step, spec.maxSteps(), m.summary());
        if (!batch.isEmpty()) {
          var sample = batch.get(0).group();
          var first = sample.group().completions().get(0);
          log.info(
              "Job {} step {} sample: prompt {} {} (reference {}) -> {} (reward {}).",
              job.jobId(),
              step,
              sample.group().promptId(),
              sample.group().promptTokenIds() == null
                  ? "(no prompt ids)"
                  : abbreviate(tok.decode(sample.group().promptTokenIds(), false)),
              sample.group().task().referenceAnswer(),
              abbreviate(first.text()),
              sample.scores().get(0).total());
        }
      }
      awaitPublished();
      state = "succeeded";
      message =
          "Job "
              + job.jobId()
              + " finished "
              + step
              + " steps; the final policy is version "
              + version
              + ".";
      event(JobEventType.SUCCEEDED, EventLevel.INFO, message);
      log.info(message);
    }
  }

  private Map<String, Object> rewardSpec() {
    if (job.reward() != null && !job.reward().isEmpty()) {
      Map<String, Object> spec = new LinkedHashMap<>(job.reward());
      // the gateway names the list "functions"; the rewards library's spec calls it "rewards"
      if (spec.containsKey("functions") && !spec.containsKey("rewards")) {
        spec.put("rewards", spec.remove("functions"));
      }
      return spec;
    }
    return Map.of(
        "rewards",
        List.of(
            Map.of("name", "accuracy", "weight", 1.0), Map.of("name", "format", "weight", 0.2)));
  }

  /**
   * The version on-policy prompts ask for: the trainer's current one (null, the newest the samplers
   * have, with a staleness budget).
   */
  private static Long onPolicyVersion(GrpoJobSpec spec, long current) {
    return spec.maxStaleness() == 0 ? current : null;
  }

  private void publishPrompts(
      GrpoJobSpec spec,
      List<TaskRow> rows,
      long forStep,
      Map<String, Object> rewardSpec,
      Long requestedVersion) {
    // one batch on the wire: the samplers see the step's prompts together and generate them as one
    publisher.sendAll(Topics.PROMPTS, prompts(spec, rows, forStep, rewardSpec, requestedVersion));
  }

  /** The prompt tasks of one step, registered as outstanding. */
  private List<PromptTask> prompts(
      GrpoJobSpec spec,
      List<TaskRow> rows,
      long forStep,
      Map<String, Object> rewardSpec,
      Long requestedVersion) {
    List<PromptTask> tasks = new ArrayList<>(spec.batchPrompts());
    for (int i = 0; i < spec.batchPrompts(); i++) {
      int rowIndex = (int) ((forStep * spec.batchPrompts() + i) % rows.size());
      tasks.add(
          promptTask(
              spec,
              rows.get(rowIndex),
              rowIndex,
              forStep,
              "s" + forStep + "-p" + i,
              rewardSpec,
              requestedVersion));
    }
    return tasks;
  }

  /**
   * After an update that changed nothing while the next step's prompts already ask for the version
   * it would have published: the unchanged weights become that version, so the samplers waiting for
   * it go on at once instead of after their version wait.
   */
  private void republishUnchanged(
      GrpoTrainer trainer, CausalLm model, Path base, Path dir, long atStep) throws IOException {
    version = version + 1;
    trainer.setPolicyVersion(version);
    log.info(
        "Job {} publishes its unchanged weights as policy version {}: the prompts of step {} ask"
            + " for it.",
        job.jobId(),
        version,
        atStep + 1);
    publishVersion(model, base, dir, version, atStep);
  }

  private void publishPrompt(
      GrpoJobSpec spec,
      TaskRow row,
      long rowIndex,
      long forStep,
      String groupId,
      Map<String, Object> rewardSpec) {
    publisher.send(
        Topics.PROMPTS,
        promptTask(
            spec, row, rowIndex, forStep, groupId, rewardSpec, onPolicyVersion(spec, version)));
  }

  /** The prompt task of one group, registered as outstanding. */
  private PromptTask promptTask(
      GrpoJobSpec spec,
      TaskRow row,
      long rowIndex,
      long forStep,
      String groupId,
      Map<String, Object> rewardSpec,
      Long requestedVersion) {
    Map<String, Object> metadata = new LinkedHashMap<>();
    metadata.put("reward_spec", rewardSpec);
    metadata.put("row_index", rowIndex);
    long seed = spec.seed() * 1_000_003L + groupId.hashCode();
    PromptTask task =
        new PromptTask(
            PromptTask.SCHEMA_VERSION,
            job.jobId(),
            row.promptId(),
            groupId,
            forStep,
            0,
            rowIndex,
            null,
            spec.systemPrompt().isBlank()
                ? List.of(new ChatMessage("user", row.question()))
                : List.of(
                    new ChatMessage("system", spec.systemPrompt()),
                    new ChatMessage("user", row.question())),
            row.answer(),
            metadata,
            // on-policy (max_staleness 0): sample with exactly the version this step trains, which
            // the samplers may still be loading; with a staleness budget, the newest they have
            requestedVersion,
            new SamplingParams(
                spec.groupSize(),
                spec.temperature(),
                spec.topP(),
                spec.topK(),
                spec.maxNewTokens(),
                List.of(),
                Math.abs(seed)));
    outstanding.put(groupId, task);
    return task;
  }

  /** Waits for one step's groups: fresh enough, expected, and not seen before. */
  private List<Delivered> collect(GrpoJobSpec spec, Tokenizer tok, ChatPrompts prompts)
      throws Exception {
    List<Delivered> batch = new ArrayList<>();
    long deadline = System.nanoTime() + props.groupWaitTimeout().toNanos();
    int retries = 0;
    while (batch.size() < spec.batchPrompts()) {
      if (cancelled) {
        throw new CancelledException();
      }
      Delivered d = inbox.poll(200, TimeUnit.MILLISECONDS);
      if (d == null) {
        if (System.nanoTime() > deadline) {
          if (++retries > 5) {
            throw new IllegalStateException(
                "no scored groups arrived for "
                    + props.groupWaitTimeout().multipliedBy(6).toSeconds()
                    + " s; are the sampler"
                    + " and reward services running?");
          }
          republishOutstanding(spec);
          deadline = System.nanoTime() + props.groupWaitTimeout().toNanos();
        }
        continue;
      }
      ScoredGroup g = d.group();
      String id = g.groupId();
      PromptTask task = outstanding.remove(id);
      if (task == null) {
        // a group received before, or one this run did not ask for (yet): after a restart, groups
        // of the crashed run's prompts arrive before this run re-publishes those steps, and must
        // not block the fresh groups that will carry the same ids
        if (seen.contains(id)) {
          drop(id, "duplicate", "it was already received");
        } else {
          drop(id, "unexpected", "no outstanding prompt has this group id");
        }
        continue;
      }
      seen.add(id);
      long lag = version - g.group().policyVersion();
      if (lag > spec.maxStaleness()) {
        drop(
            id,
            "stale",
            "it was sampled by policy version "
                + g.group().policyVersion()
                + ", "
                + lag
                + " behind the trainer's "
                + version);
        publishPrompt(
            spec,
            new TaskRow(task.promptId(), question(task), task.referenceAnswer()),
            task.datasetRow(),
            task.step(),
            id + "r",
            task.metadata().get("reward_spec") instanceof Map<?, ?> m ? cast(m) : rewardSpec());
        continue;
      }
      batch.add(d);
    }
    // arrival order depends on sampler timing; prompt order makes a step's update (and so a seeded
    // on-policy run) independent of it
    batch.sort(PROMPT_ORDER);
    return batch;
  }

  /** Step, then the prompt's index within it ("s12-p3", a re-published "s12-p3r" beside it). */
  private static final Comparator<Delivered> PROMPT_ORDER =
      Comparator.<Delivered>comparingLong(d -> d.group().group().task().step())
          .thenComparingInt(d -> promptIndex(d.group().groupId()))
          .thenComparing(d -> d.group().groupId());

  private static int promptIndex(String groupId) {
    int p = groupId.lastIndexOf("-p");
    int i = p + 2;
    int end = i;
    while (end < groupId.length() && Character.isDigit(groupId.charAt(end))) {
      end++;
    }
    return p < 0 || end == i || end - i > 9
        ? Integer.MAX_VALUE
        : Integer.parseInt(groupId, i, end, 10);
  }

  /** Share of the batch's completions with a reflection phrase ("wait", "let me check"...). */
  private static double reflectionRate(List<Delivered> batch) {
    List<String> texts = new ArrayList<>();
    for (Delivered d : batch) {
      for (Completion c : d.group().group().completions()) {
        texts.add(c.text());
      }
    }
    return ReflectionPhrases.rate(texts);
  }

  private static String abbreviate(String text) {
    String oneLine = text.replace("\n", "\\n");
    return oneLine.length() <= 200 ? oneLine : oneLine.substring(0, 200) + "...";
  }

  /** The user turn of a prompt task (its last message). */
  private static String question(PromptTask task) {
    return task.messages().get(task.messages().size() - 1).content();
  }

  @SuppressWarnings("unchecked")
  private static Map<String, Object> cast(Map<?, ?> m) {
    return (Map<String, Object>) m;
  }

  private void republishOutstanding(GrpoJobSpec spec) {
    List<PromptTask> missing = new ArrayList<>(outstanding.values());
    log.warn(
        "Job {} waited {} s for scored groups; re-publishing {} outstanding prompts.",
        job.jobId(),
        props.groupWaitTimeout().toSeconds(),
        missing.size());
    for (PromptTask t : missing) {
      outstanding.remove(t.groupId());
      publishPrompt(
          spec,
          new TaskRow(t.promptId(), question(t), t.referenceAnswer()),
          t.datasetRow(),
          t.step(),
          t.groupId() + "x",
          cast((Map<?, ?>) t.metadata().get("reward_spec")));
    }
  }

  private void drop(String groupId, String reason, String why) {
    dropped.merge(reason, 1L, Long::sum);
    metrics.dropped(job.jobId(), reason);
    log.info("Job {} dropped group {} ({}): {}.", job.jobId(), groupId, reason, why);
  }

  private PromptGroup toPromptGroup(ScoredGroup scored, Tokenizer tok, ChatPrompts prompts) {
    var sampled = scored.group();
    int[] promptIds = sampled.promptTokenIds();
    if (promptIds == null) {
      promptIds = tok.encode(prompts.render(question(sampled.task())));
    }
    Map<String, CompletionScore> scores = new LinkedHashMap<>();
    for (CompletionScore s : scored.scores()) {
      scores.put(s.completionId(), s);
    }
    List<SampledCompletion> completions = new ArrayList<>();
    for (Completion c : sampled.completions()) {
      CompletionScore s = scores.get(c.completionId());
      Map<String, Double> components = new LinkedHashMap<>();
      for (RewardComponent rc : s.components()) {
        components.put(rc.name(), rc.value());
      }
      completions.add(
          new SampledCompletion(
              c.tokenIds(),
              c.behaviourLogprobs(),
              c.finishReason() == FinishReason.LENGTH,
              s.total(),
              components,
              sampled.policyVersion()));
    }
    return new PromptGroup(sampled.promptId(), promptIds, completions);
  }

  /**
   * Saves version {@code v} and registers it with the policy-service. The weights are written here,
   * synchronously; the upload runs in the background while the next step collects and trains (at
   * most one upload in flight: an earlier one is awaited first, so versions arrive in order).
   */
  private void publishVersion(CausalLm model, Path base, Path dir, long v, long atStep)
      throws IOException {
    long t0 = System.nanoTime();
    Path folder = dir.resolve("versions").resolve("v" + v);
    model.save(folder);
    for (String f : TOKENIZER_FILES) {
      if (Files.isRegularFile(base.resolve(f))) {
        Files.copy(base.resolve(f), folder.resolve(f), StandardCopyOption.REPLACE_EXISTING);
      }
    }
    awaitPublished();
    long saved = System.nanoTime();
    // the version a checkpoint at this step names (the policy-service keeps the newest such one)
    boolean checkpoint = atStep > 0 && (atStep % checkpointEvery == 0 || atStep == maxSteps);
    pendingPublish =
        CompletableFuture.runAsync(
            () -> {
              try {
                long started = System.nanoTime();
                policy.registerVersion(job.jobId(), v, atStep, checkpoint, folder);
                log.debug(
                    "Job {} wrote policy version {} in {} ms and uploaded it in {} ms ({} ms"
                        + " queued).",
                    job.jobId(),
                    v,
                    (saved - t0) / 1_000_000,
                    (System.nanoTime() - started) / 1_000_000,
                    (started - saved) / 1_000_000);
                deleteRecursively(folder); // the policy-service keeps the published copy
              } catch (IOException e) {
                throw new UncheckedIOException(
                    "Job " + job.jobId() + " could not publish policy version " + v, e);
              }
            },
            uploader);
  }

  /** Waits for the version upload in flight, if any; its failure fails the job. */
  private void awaitPublished() throws IOException {
    CompletableFuture<Void> p = pendingPublish;
    if (p == null) {
      return;
    }
    pendingPublish = null;
    try {
      p.join();
    } catch (java.util.concurrent.CompletionException e) {
      if (e.getCause() instanceof UncheckedIOException u) {
        throw u.getCause();
      }
      throw e;
    }
  }

  private void awaitResume() throws InterruptedException {
    boolean announced = false;
    while (paused && !cancelled) {
      if (!announced) {
        log.info("Job {} is paused at step {}.", job.jobId(), step);
        announced = true;
      }
      Thread.sleep(200);
    }
    if (cancelled) {
      throw new CancelledException();
    }
  }

  private void event(JobEventType type, EventLevel level, String text) {
    publisher.send(
        Topics.JOB_EVENTS,
        JobEvent.of(
            job.jobId(), sequence.incrementAndGet(), SOURCE, type, level, text, Instant.now()));
  }

  private static void deleteRecursively(Path p) throws IOException {
    try (Stream<Path> walk = Files.walk(p)) {
      for (Path q : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
        Files.deleteIfExists(q);
      }
    }
  }

  /** Thrown inside the loop when the job is cancelled. */
  private static final class CancelledException extends RuntimeException {}
}
