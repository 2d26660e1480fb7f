package dev.r1.trainer.job;

import dev.r1.contracts.JobSubmitted;
import dev.r1.contracts.Json;
import dev.r1.contracts.ScoredGroup;
import dev.r1.contracts.Topics;
import dev.r1.trainer.TrainerProperties;
import dev.r1.trainer.messaging.Publisher;
import dev.r1.trainer.metrics.TrainerMetrics;
import dev.r1.trainer.policy.PolicyClient;
import jakarta.annotation.PreDestroy;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.context.event.ApplicationReadyEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;

/**
 * Runs the GRPO jobs of this trainer and routes their scored groups and control requests.
 *
 * <p>A job's submission is kept in {@code <work-dir>/jobs/<id>/job.json} until the job ends ({@code
 * finished} beside it): the jobs topic's offset is committed when a job is accepted, so a trainer
 * that crashed or was stopped mid-job finds its unfinished jobs there when it starts again, and
 * resumes each from its last checkpoint.
 */
@Component
public class JobManager {

  private static final Logger log = LoggerFactory.getLogger(JobManager.class);

  /**
   * DJL allows one gradient collector per JVM: updates of concurrent jobs take turns, also with the
   * distill-service's SFT when both run in one JVM.
   */
  static final ReentrantLock UPDATE_LOCK = dev.r1.training.GradientLock.LOCK;

  private static final String SUBMISSION = "job.json";
  private static final String FINISHED = "finished";

  private final Map<String, GrpoJobRun> runs = new ConcurrentHashMap<>();

  /** Jobs of other services whose groups were seen (bounded; only to log each job once). */
  private final Map<String, Boolean> foreignJobs =
      new java.util.LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Boolean> eldest) {
          return size() > 1024;
        }
      };

  private final ExecutorService executor;
  private final TrainerProperties props;
  private final PolicyClient policy;
  private final Publisher publisher;
  private final TrainerMetrics metrics;

  JobManager(
      TrainerProperties props, PolicyClient policy, Publisher publisher, TrainerMetrics metrics) {
    this.props = props;
    this.policy = policy;
    this.publisher = publisher;
    this.metrics = metrics;
    this.executor =
        Executors.newFixedThreadPool(
            props.maxConcurrentJobs(),
            r -> {
              Thread t = new Thread(r, "grpo-job");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts a job unless it is already known (a replayed submission changes nothing). */
  public void submit(JobSubmitted job) {
    GrpoJobRun[] created = new GrpoJobRun[1];
    runs.computeIfAbsent(
        job.jobId(), id -> created[0] = new GrpoJobRun(job, props, policy, publisher, metrics));
    if (created[0] == null) {
      log.info("Job {} was submitted again; it is already known and keeps its state.", job.jobId());
      return;
    }
    try {
      Path dir = jobDir(props.workDir(), job.jobId());
      Files.createDirectories(dir);
      Files.write(dir.resolve(SUBMISSION), Json.encode(job));
    } catch (IOException e) {
      runs.remove(job.jobId());
      throw new UncheckedIOException(
          "Job " + job.jobId() + " could not be recorded in the trainer's work dir", e);
    }
    log.info(
        "Accepted GRPO job {} on model {} with dataset {}.",
        job.jobId(),
        job.model(),
        job.datasetUri());
    executor.submit(created[0]);
  }

  /** Hands a scored group to its job; groups of unknown jobs are dropped with a log line. */
  public void deliver(ScoredGroup group, int partition, long offset) {
    GrpoJobRun run = runs.get(group.jobId());
    if (run == null) {
      // the scored-groups topic also carries the distill-service's groups (rejection sampling,
      // evaluation): normal traffic, logged once per job and then only at debug level
      boolean first;
      synchronized (foreignJobs) {
        first = foreignJobs.put(group.jobId(), Boolean.TRUE) == null;
      }
      if (first) {
        log.info(
            "Ignoring scored groups of job {} (first: {}): no such job runs on this trainer; further"
                + " groups of this job are dropped silently and counted as"
                + " r1.trainer.groups.dropped{reason=unknown_job}.",
            group.jobId(),
            group.groupId());
      } else {
        log.debug(
            "Dropped scored group {} of job {}: no such job runs on this trainer.",
            group.groupId(),
            group.jobId());
      }
      metrics.dropped(group.jobId(), "unknown_job");
      return;
    }
    run.deliver(group, partition, offset);
  }

  public void cancel(String jobId) {
    Optional.ofNullable(runs.get(jobId)).ifPresent(GrpoJobRun::cancel);
  }

  public void pause(String jobId, boolean paused) {
    Optional.ofNullable(runs.get(jobId)).ifPresent(r -> r.pause(paused));
  }

  /** A job's progress, or empty when this trainer does not know it. */
  public Optional<JobStatus> status(String jobId) {
    return Optional.ofNullable(runs.get(jobId)).map(GrpoJobRun::status);
  }

  /** Resumes the jobs a previous trainer process accepted and did not finish. */
  @EventListener(ApplicationReadyEvent.class)
  void resumeUnfinished() throws IOException {
    Path jobs = props.workDir().resolve("jobs");
    if (!Files.isDirectory(jobs)) {
      return;
    }
    List<Path> dirs;
    try (var list = Files.list(jobs)) {
      dirs = list.filter(Files::isDirectory).sorted().toList();
    }
    for (Path dir : dirs) {
      Path submission = dir.resolve(SUBMISSION);
      if (!Files.isRegularFile(submission) || Files.exists(dir.resolve(FINISHED))) {
        continue;
      }
      JobSubmitted job;
      try {
        job = Json.decode(Topics.JOBS, Files.readAllBytes(submission), JobSubmitted.class);
      } catch (RuntimeException e) {
        log.error("Could not resume the job recorded in {}: {}", submission, e.getMessage());
        continue;
      }
      log.info(
          "Job {} was accepted by an earlier trainer process and did not finish; resuming it.",
          job.jobId());
      submit(job);
    }
  }

  /** Records that a job ended (succeeded, failed or cancelled): it is not resumed at startup. */
  static void markFinished(Path workDir, String jobId, String state) {
    try {
      Path dir = jobDir(workDir, jobId);
      Files.createDirectories(dir);
      Files.writeString(dir.resolve(FINISHED), state + "\n", StandardCharsets.UTF_8);
    } catch (IOException e) {
      log.warn("Could not record that job {} ended ({}): {}", jobId, state, e.getMessage());
    }
  }

  private static Path jobDir(Path workDir, String jobId) {
    return workDir.resolve("jobs").resolve(jobId);
  }

  @PreDestroy
  void stop() {
    runs.values().forEach(GrpoJobRun::stopForShutdown);
    executor.shutdownNow();
  }
}
