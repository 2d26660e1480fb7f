package dev.r1.trainer.job;

import dev.r1.contracts.JobSubmitted;
import dev.r1.contracts.ScoredGroup;
import dev.r1.trainer.TrainerProperties;
import dev.r1.trainer.messaging.Publisher;
import dev.r1.trainer.metrics.TrainerMetrics;
import dev.r1.trainer.policy.PolicyClient;
import jakarta.annotation.PreDestroy;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.locks.ReentrantLock;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Runs the GRPO jobs of this trainer and routes their scored groups and control requests. */
@Component
public class JobManager {

  private static final Logger log = LoggerFactory.getLogger(JobManager.class);

  /**
   * DJL allows one gradient collector per JVM: updates of concurrent jobs take turns, also with the
   * distill-service's SFT when both run in one JVM.
   */
  static final ReentrantLock UPDATE_LOCK = dev.r1.training.GradientLock.LOCK;

  private final Map<String, GrpoJobRun> runs = new ConcurrentHashMap<>();
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
      log.warn(
          "Dropped scored group {} of job {}: no such job runs on this trainer.",
          group.groupId(),
          group.jobId());
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

  @PreDestroy
  void stop() {
    runs.values().forEach(GrpoJobRun::cancel);
    executor.shutdownNow();
  }
}
