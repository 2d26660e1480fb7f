package dev.r1.distill.job;

import dev.r1.contracts.JobSubmitted;
import dev.r1.distill.DistillProperties;
import dev.r1.distill.messaging.Publisher;
import dev.r1.distill.policy.PolicyClient;
import jakarta.annotation.PreDestroy;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.stereotype.Component;

/** Runs this service's jobs (two at a time; SFT runs take turns on the JVM's gradient lock). */
@Component
public class JobManager {

  private static final Logger log = LoggerFactory.getLogger(JobManager.class);

  private final Map<String, JobRun> runs = new ConcurrentHashMap<>();
  private final ExecutorService executor;
  private final Services services;

  JobManager(
      DistillProperties props,
      PolicyClient policy,
      Publisher publisher,
      FleetSampler fleet,
      ChildJobs children) {
    this.services = new Services(props, policy, publisher, fleet, children);
    this.executor =
        Executors.newFixedThreadPool(
            2,
            r -> {
              Thread t = new Thread(r, "distill-job");
              t.setDaemon(true);
              return t;
            });
  }

  /** Starts a job unless it is already known (a replayed submission changes nothing). */
  public void submit(JobSubmitted job) {
    JobRun[] created = new JobRun[1];
    runs.computeIfAbsent(job.jobId(), id -> created[0] = create(job));
    if (created[0] == null) {
      log.info("Job {} was submitted again; it is already known and keeps its state.", job.jobId());
      return;
    }
    log.info(
        "Accepted {} job {} on model {} with dataset {}.",
        job.method(),
        job.jobId(),
        job.model(),
        job.datasetUri());
    executor.execute(created[0]);
  }

  private JobRun create(JobSubmitted job) {
    return switch (job.method()) {
      case "sft" -> new SftJob(job, services);
      case "eval" -> new EvalJob(job, services);
      case "distill" -> new DistillJob(job, services);
      case "pipeline" -> new PipelineJob(job, services);
      default ->
          throw new IllegalArgumentException(
              "the distill-service does not run method " + job.method());
    };
  }

  public void cancel(String jobId) {
    Optional.ofNullable(runs.get(jobId)).ifPresent(JobRun::cancel);
  }

  /** A job's progress, or empty when this service does not know it. */
  public Optional<JobStatus> status(String jobId) {
    return Optional.ofNullable(runs.get(jobId)).map(JobRun::status);
  }

  @PreDestroy
  void stop() {
    runs.values().forEach(JobRun::cancel);
    executor.shutdownNow();
  }
}
