package dev.r1.gateway.jobs;

import dev.r1.contracts.EventLevel;
import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.JobSubmitted;
import dev.r1.gateway.jobs.JobSpecValidator.JobSpec;
import dev.r1.gateway.web.ApiProblem;
import io.micrometer.core.instrument.MeterRegistry;
import java.security.SecureRandom;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.dao.DuplicateKeyException;
import org.springframework.stereotype.Service;
import org.springframework.transaction.support.TransactionTemplate;

/**
 * The job registry's behaviour: creating jobs, user requests (cancel, pause, resume) and applying
 * the workers' events through {@link JobStateMachine}, idempotently by event id.
 */
@Service
class JobService {

  /** The source name of the events the gateway writes. */
  static final String SOURCE = "gateway";

  private static final Logger log = LoggerFactory.getLogger(JobService.class);
  private static final SecureRandom RANDOM = new SecureRandom();

  /** What applying an event did. */
  enum Outcome {
    /** Stored and moved the job's status. */
    APPLIED,
    /** Stored; the status did not change (an observation, or an out-of-order/illegal move). */
    STORED,
    /** Already stored (a replay): nothing changed. */
    DUPLICATE,
    /** No such job: dropped with a warning. */
    UNKNOWN_JOB
  }

  private final JobStore store;
  private final JobSpecValidator validator;
  private final JobPublisher publisher;
  private final TransactionTemplate tx;
  private final MeterRegistry meters;
  private final JobReadCache cache;

  /**
   * A read with the entity tag of the cached state it was answered from; {@code etag} is null when
   * it was read from the database (a page older than the cache holds).
   */
  record Tagged<T>(T value, String etag) {}

  JobService(
      JobStore store,
      JobSpecValidator validator,
      JobPublisher publisher,
      TransactionTemplate tx,
      MeterRegistry meters,
      JobReadCache cache) {
    this.cache = cache;
    this.store = store;
    this.validator = validator;
    this.publisher = publisher;
    this.tx = tx;
    this.meters = meters;
  }

  Job create(String owner, byte[] body) {
    JobSpec spec = validator.validate(owner, body);
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    String id = "job-" + hex(12);
    Job job =
        new Job(
            id,
            0,
            owner,
            spec.method(),
            spec.model(),
            spec.dataset().id(),
            spec.reward(),
            spec.hyperparameters(),
            JobStatus.VALIDATING,
            null,
            null,
            0,
            now,
            now,
            null);
    JobEvent created =
        gatewayEvent(id, 0, JobEventType.CREATED, "Job created (" + spec.method() + ").", now);
    tx.executeWithoutResult(
        s -> {
          store.insert(job);
          store.insertEvent(created, false);
        });
    log.info(
        "Created job {} for owner '{}': method {}, model {}, dataset {}.",
        id,
        owner,
        spec.method(),
        spec.model(),
        spec.dataset().id());
    JobSubmitted submitted =
        new JobSubmitted(
            JobSubmitted.SCHEMA_VERSION,
            id,
            spec.method(),
            spec.model(),
            spec.dataset().id(),
            spec.dataset().uri(),
            spec.reward(),
            spec.hyperparameters(),
            owner,
            now);
    publisher
        .submitted(submitted)
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                failSubmission(id, failure);
              }
            });
    publisher.event(created);
    return store.find(owner, id).orElseThrow();
  }

  private void failSubmission(String jobId, Throwable failure) {
    log.error(
        "Job {} could not be handed to the workers on the jobs topic: {}",
        jobId,
        failure.toString());
    JobEvent failed =
        gatewayEvent(
            jobId,
            -1,
            JobEventType.FAILED,
            "The job could not be handed to the workers: " + failure.getMessage(),
            Instant.now());
    apply(failed);
  }

  /** The caller's job from the read cache; 404 when it does not exist or is someone else's. */
  Job get(String owner, String id) {
    return snapshot(owner, id).job();
  }

  private JobReadCache.Snapshot snapshot(String owner, String id) {
    return cache
        .read(id)
        .filter(s -> s.job().owner().equals(owner))
        .orElseThrow(() -> ApiProblem.notFound("no job '" + id + "'"));
  }

  List<Job> list(String owner, String after, int limit, String status, String method) {
    return store.list(owner, after, limit, status, method);
  }

  Job cancel(String owner, String id) {
    return request(owner, id, JobEventType.CANCELLED);
  }

  Job pause(String owner, String id) {
    return request(owner, id, JobEventType.PAUSED);
  }

  Job resume(String owner, String id) {
    return request(owner, id, JobEventType.RESUMED);
  }

  /** A user request: checked against the job's status, applied, then published to the workers. */
  private Job request(String owner, String id, JobEventType type) {
    get(owner, id);
    JobEvent event =
        tx.execute(
            s -> {
              Job job = store.lock(id).orElseThrow();
              JobStatus from = job.status();
              JobStatus to;
              JobStatus pausedFrom = null;
              switch (type) {
                case CANCELLED:
                  if (from.terminal()) {
                    throw ApiProblem.conflict(
                        "job " + id + " is already " + from.wire() + " and cannot be cancelled");
                  }
                  to = JobStatus.CANCELLED;
                  break;
                case PAUSED:
                  if (from.terminal() || from == JobStatus.PAUSED) {
                    throw ApiProblem.conflict(
                        "job " + id + " is " + from.wire() + " and cannot be paused");
                  }
                  to = JobStatus.PAUSED;
                  pausedFrom = from;
                  break;
                case RESUMED:
                  if (from != JobStatus.PAUSED) {
                    throw ApiProblem.conflict(
                        "job " + id + " is " + from.wire() + ", not paused, and cannot be resumed");
                  }
                  to = job.pausedFrom() == null ? JobStatus.RUNNING : job.pausedFrom();
                  break;
                default:
                  throw new IllegalStateException("not a user request: " + type);
              }
              Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
              JobEvent e =
                  gatewayEvent(
                      id,
                      store.nextSequence(id, SOURCE),
                      type,
                      "Job " + to.wire() + " at the user's request.",
                      now);
              store.insertEvent(e, true);
              store.updateStatus(
                  job, to, pausedFrom, to == JobStatus.CANCELLED ? null : job.error(), now);
              return e;
            });
    cache.changed(id);
    log.info("Job {}: {} requested by owner '{}'.", id, type, owner);
    publisher
        .event(event)
        .whenComplete(
            (ok, failure) -> {
              if (failure != null) {
                log.error(
                    "Job {}: the {} request could not be published to the workers: {}",
                    id,
                    type,
                    failure.toString());
              }
            });
    return get(owner, id);
  }

  /**
   * Applies a worker's (or a replayed) event: stored once per event id; a lifecycle event moves the
   * job when the state machine allows it, otherwise it is logged and changes nothing.
   */
  Outcome apply(JobEvent event) {
    Outcome outcome;
    try {
      outcome = tx.execute(s -> applyLocked(event));
    } catch (DuplicateKeyException e) {
      outcome = Outcome.DUPLICATE;
    }
    if (outcome == Outcome.APPLIED || outcome == Outcome.STORED) {
      cache.changed(event.jobId());
    }
    meters.counter("r1.gateway.job.events", "outcome", outcome.name().toLowerCase()).increment();
    return outcome;
  }

  private Outcome applyLocked(JobEvent event) {
    Optional<Job> found = store.lock(event.jobId());
    if (found.isEmpty()) {
      // e.g. the GRPO stages a pipeline runs as child jobs (the pipeline relays their metrics)
      log.info(
          "Dropped event {} ({}) from {}: job {} is not in the registry.",
          event.eventId(),
          event.type(),
          event.source(),
          event.jobId());
      return Outcome.UNKNOWN_JOB;
    }
    if (store.eventExists(event.eventId().toString())) {
      log.debug("Event {} of job {} was already stored.", event.eventId(), event.jobId());
      return Outcome.DUPLICATE;
    }
    Job job = found.get();
    Optional<JobStatus> next = JobStateMachine.next(job.status(), event.type());
    store.insertEvent(event, next.isPresent());
    Instant now = Instant.now().truncatedTo(ChronoUnit.MICROS);
    if (event.step() != null) {
      store.raiseTrainedSteps(job.id(), event.step(), now);
    }
    if (next.isPresent()) {
      JobStatus to = next.get();
      String error =
          to == JobStatus.FAILED
              ? (event.message().isBlank() ? "failed without a message" : event.message())
              : job.error();
      store.updateStatus(job, to, to == JobStatus.PAUSED ? job.status() : null, error, now);
      log.info(
          "Job {} moved from {} to {} on {} event {} from {}.",
          job.id(),
          job.status().wire(),
          to.wire(),
          event.type(),
          event.eventId(),
          event.source());
      return Outcome.APPLIED;
    }
    if (JobStateMachine.lifecycle(event.type())) {
      log.warn(
          "Job {} ignored {} event {} from {} (sequence {}): not a legal move from {}.",
          job.id(),
          event.type(),
          event.eventId(),
          event.source(),
          event.sequence(),
          job.status().wire());
    }
    return Outcome.STORED;
  }

  /** A page of the caller's job's events: from the read cache when it holds them. */
  Tagged<List<StoredEvent>> events(String owner, String id, String after, int limit, String type) {
    JobReadCache.Snapshot s = snapshot(owner, id);
    return s.events(after, limit, type)
        .map(page -> new Tagged<>(page, eventsTag(s, "e" + Objects.hash(after, limit, type) + "-")))
        .orElseGet(() -> new Tagged<>(store.events(id, after, limit, type), null));
  }

  /** The caller's job's STEP_METRICS events: from the read cache when it holds all of them. */
  Tagged<List<StoredEvent>> stepMetrics(String owner, String id) {
    JobReadCache.Snapshot s = snapshot(owner, id);
    return s.stepMetrics()
        .map(all -> new Tagged<>(all, eventsTag(s, "m")))
        .orElseGet(() -> new Tagged<>(store.stepMetrics(id), null));
  }

  /**
   * Events never change once stored, so a page of them is known by its query and the last event
   * read (the query is in the tag too, so a tag is never right for another page).
   */
  private static String eventsTag(JobReadCache.Snapshot s, String kind) {
    return "\"" + kind + s.lastSeq() + "\"";
  }

  private static JobEvent gatewayEvent(
      String jobId, long sequence, JobEventType type, String message, Instant at) {
    return new JobEvent(
        JobEvent.SCHEMA_VERSION,
        jobId,
        UUID.randomUUID(),
        Math.max(0, sequence),
        SOURCE,
        type,
        type == JobEventType.FAILED ? EventLevel.ERROR : EventLevel.INFO,
        message,
        Map.of(),
        null,
        at);
  }

  private static String hex(int bytes) {
    byte[] b = new byte[bytes];
    RANDOM.nextBytes(b);
    return HexFormat.of().formatHex(b);
  }
}
