package dev.r1.distill.job;

import dev.r1.contracts.EventLevel;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.JobSubmitted;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** One job of this service: its lifecycle events around {@link #execute()}. */
abstract class JobRun implements Runnable {

  private static final Logger log = LoggerFactory.getLogger(JobRun.class);

  /** Thrown inside a job when it is cancelled. */
  static final class CancelledException extends RuntimeException {}

  /** What a job produced: the SUCCEEDED message and metrics. */
  record Outcome(String message, Map<String, Double> metrics) {}

  final JobSubmitted job;
  final Services services;
  final JobEvents events;
  final Path dir;
  private volatile boolean cancelled;
  private volatile String state = "queued";
  private volatile String message = "";
  private volatile Map<String, Double> results = Map.of();

  JobRun(JobSubmitted job, Services services) {
    this.job = job;
    this.services = services;
    this.events = new JobEvents(services.publisher(), job.jobId());
    this.dir = services.props().dataDir().toAbsolutePath().resolve("jobs").resolve(job.jobId());
  }

  /** One sentence saying what the job will do (the RUNNING event). */
  abstract String describe();

  /** Runs the job; throws on failure. */
  abstract Outcome execute() throws Exception;

  void cancel() {
    cancelled = true;
  }

  boolean cancelled() {
    return cancelled;
  }

  void checkCancelled() {
    if (cancelled) {
      throw new CancelledException();
    }
  }

  void progress(String text) {
    message = text;
  }

  JobStatus status() {
    return new JobStatus(job.jobId(), job.method(), state, message, results);
  }

  @Override
  public void run() {
    try {
      // load the engine, then no autograd graph outside a GradientCollector (PyTorch grad mode
      // is per thread and on in new threads)
      ai.djl.engine.Engine.getInstance();
      ai.djl.pytorch.jni.JniUtils.setGradMode(false);
      state = "running";
      message = describe();
      events.info(JobEventType.RUNNING, message);
      log.info(message);
      Outcome o = execute();
      results = Map.copyOf(o.metrics());
      state = "succeeded";
      message = o.message();
      events.info(JobEventType.SUCCEEDED, o.message(), o.metrics());
      log.info(o.message());
    } catch (CancelledException e) {
      state = "cancelled";
      message = "Job " + job.jobId() + " was cancelled.";
      log.info(message);
      report(JobEventType.CANCELLED, EventLevel.INFO, message);
    } catch (Throwable t) {
      state = "failed";
      message = "Job " + job.jobId() + " (" + job.method() + ") failed: " + t.getMessage();
      log.error(message, t);
      report(JobEventType.FAILED, EventLevel.ERROR, message);
    }
  }

  private void report(JobEventType type, EventLevel level, String text) {
    try {
      events.emit(type, level, text, Map.of(), null);
    } catch (RuntimeException e) {
      log.error("Could not report the end of job {}.", job.jobId(), e);
    }
  }
}
