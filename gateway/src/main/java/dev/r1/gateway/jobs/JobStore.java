package dev.r1.gateway.jobs;

import dev.r1.contracts.JobEvent;
import dev.r1.gateway.web.ApiProblem;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Repository;

/** The job registry tables ({@code jobs}, {@code job_events}) through plain SQL. */
@Repository
class JobStore {

  private final JdbcClient jdbc;

  JobStore(JdbcClient jdbc) {
    this.jdbc = jdbc;
  }

  void insert(Job job) {
    jdbc.sql(
            "INSERT INTO jobs (id, owner, method, model, dataset_id, reward, hyperparameters,"
                + " status, paused_from, error, trained_steps, created_at, updated_at,"
                + " finished_at) VALUES (:id, :owner, :method, :model, :dataset, :reward, :hyper,"
                + " :status, NULL, NULL, 0, :created, :created, NULL)")
        .param("id", job.id())
        .param("owner", job.owner())
        .param("method", job.method())
        .param("model", job.model())
        .param("dataset", job.datasetId())
        .param("reward", Json2.write(job.reward()))
        .param("hyper", Json2.write(job.hyperparameters()))
        .param("status", job.status().wire())
        .param("created", utc(job.createdAt()))
        .update();
  }

  Optional<Job> find(String owner, String id) {
    return jdbc.sql("SELECT * FROM jobs WHERE id = ? AND owner = ?")
        .params(id, owner)
        .query(JobStore::job)
        .optional();
  }

  /** The job, whoever owns it (the read cache checks the owner). */
  Optional<Job> find(String id) {
    return jdbc.sql("SELECT * FROM jobs WHERE id = ?").params(id).query(JobStore::job).optional();
  }

  /** The job, its row locked until the transaction ends. */
  Optional<Job> lock(String id) {
    return jdbc.sql("SELECT * FROM jobs WHERE id = ? FOR UPDATE")
        .params(id)
        .query(JobStore::job)
        .optional();
  }

  List<Job> list(String owner, String after, int limit, String status, String method) {
    long before = Long.MAX_VALUE;
    if (after != null) {
      before =
          jdbc.sql("SELECT seq FROM jobs WHERE id = ? AND owner = ?")
              .params(after, owner)
              .query(Long.class)
              .optional()
              .orElseThrow(() -> ApiProblem.badField("after", "no job '" + after + "'"));
    }
    StringBuilder sql = new StringBuilder("SELECT * FROM jobs WHERE owner = :owner AND seq < :b");
    if (status != null) {
      sql.append(" AND status = :status");
    }
    if (method != null) {
      sql.append(" AND method = :method");
    }
    sql.append(" ORDER BY seq DESC FETCH FIRST :limit ROWS ONLY");
    JdbcClient.StatementSpec spec =
        jdbc.sql(sql.toString()).param("owner", owner).param("b", before).param("limit", limit);
    if (status != null) {
      spec = spec.param("status", status);
    }
    if (method != null) {
      spec = spec.param("method", method);
    }
    return spec.query(JobStore::job).list();
  }

  void updateStatus(Job job, JobStatus status, JobStatus pausedFrom, String error, Instant now) {
    jdbc.sql(
            "UPDATE jobs SET status = :status, paused_from = :pausedFrom, error = :error,"
                + " updated_at = :now, finished_at = :finished WHERE id = :id")
        .param("status", status.wire())
        .param("pausedFrom", pausedFrom == null ? null : pausedFrom.wire())
        .param("error", error)
        .param("now", utc(now))
        .param("finished", status.terminal() ? utc(now) : null)
        .param("id", job.id())
        .update();
  }

  void raiseTrainedSteps(String jobId, long step, Instant now) {
    jdbc.sql(
            "UPDATE jobs SET trained_steps = :step, updated_at = :now WHERE id = :id AND"
                + " trained_steps < :step")
        .param("step", step)
        .param("now", utc(now))
        .param("id", jobId)
        .update();
  }

  boolean eventExists(String eventId) {
    return jdbc.sql("SELECT COUNT(*) FROM job_events WHERE event_id = ?")
            .params(eventId)
            .query(Long.class)
            .single()
        > 0;
  }

  void insertEvent(JobEvent e, boolean applied) {
    jdbc.sql(
            "INSERT INTO job_events (event_id, job_id, source, sequence, type, level, message,"
                + " metrics, step, applied, created_at) VALUES (:id, :job, :source, :sequence,"
                + " :type, :level, :message, :metrics, :step, :applied, :at)")
        .param("id", e.eventId().toString())
        .param("job", e.jobId())
        .param("source", e.source())
        .param("sequence", e.sequence())
        .param("type", e.type().name())
        .param("level", e.level().name())
        .param("message", e.message())
        .param("metrics", Json2.write(e.metrics()))
        .param("step", e.step())
        .param("applied", applied)
        .param("at", utc(e.timestamp()))
        .update();
  }

  long nextSequence(String jobId, String source) {
    return jdbc.sql("SELECT COUNT(*) FROM job_events WHERE job_id = ? AND source = ?")
        .params(jobId, source)
        .query(Long.class)
        .single();
  }

  /** Events of a job oldest first, after the event {@code after}, optionally of one type. */
  List<StoredEvent> events(String jobId, String after, int limit, String type) {
    long from = -1;
    if (after != null) {
      from =
          jdbc.sql("SELECT seq FROM job_events WHERE event_id = ? AND job_id = ?")
              .params(after, jobId)
              .query(Long.class)
              .optional()
              .orElseThrow(() -> ApiProblem.badField("after", "no event '" + after + "'"));
    }
    String sql =
        "SELECT * FROM job_events WHERE job_id = :job AND seq > :from"
            + (type == null ? "" : " AND type = :type")
            + " ORDER BY seq FETCH FIRST :limit ROWS ONLY";
    JdbcClient.StatementSpec spec =
        jdbc.sql(sql).param("job", jobId).param("from", from).param("limit", limit);
    if (type != null) {
      spec = spec.param("type", type);
    }
    return spec.query(JobStore::event).list();
  }

  /** Up to {@code limit} events of a job with {@code seq} above {@code seq}, oldest first. */
  List<StoredEvent> eventsAfterSeq(String jobId, long seq, int limit) {
    return jdbc.sql(
            "SELECT * FROM job_events WHERE job_id = :job AND seq > :seq ORDER BY seq FETCH FIRST"
                + " :limit ROWS ONLY")
        .param("job", jobId)
        .param("seq", seq)
        .param("limit", limit)
        .query(JobStore::event)
        .list();
  }

  /** A job's latest {@code limit} events, oldest first. */
  List<StoredEvent> latestEvents(String jobId, int limit) {
    List<StoredEvent> events =
        jdbc.sql(
                "SELECT * FROM job_events WHERE job_id = :job ORDER BY seq DESC FETCH FIRST :limit"
                    + " ROWS ONLY")
            .param("job", jobId)
            .param("limit", limit)
            .query(JobStore::event)
            .list();
    List<StoredEvent> oldestFirst = new ArrayList<>(events);
    Collections.reverse(oldestFirst);
    return oldestFirst;
  }

  /** Every STEP_METRICS event of a job, in arrival order. */
  List<StoredEvent> stepMetrics(String jobId) {
    return jdbc.sql(
            "SELECT * FROM job_events WHERE job_id = ? AND type = 'STEP_METRICS' AND step IS NOT"
                + " NULL ORDER BY seq")
        .params(jobId)
        .query(JobStore::event)
        .list();
  }

  private static OffsetDateTime utc(Instant t) {
    return t == null ? null : OffsetDateTime.ofInstant(t, ZoneOffset.UTC);
  }

  private static Instant instant(ResultSet rs, String col) throws SQLException {
    OffsetDateTime t = rs.getObject(col, OffsetDateTime.class);
    return t == null ? null : t.toInstant();
  }

  private static Job job(ResultSet rs, int i) throws SQLException {
    String pausedFrom = rs.getString("paused_from");
    return new Job(
        rs.getString("id"),
        rs.getLong("seq"),
        rs.getString("owner"),
        rs.getString("method"),
        rs.getString("model"),
        rs.getString("dataset_id"),
        Json2.readMap(rs.getString("reward")),
        Json2.readMap(rs.getString("hyperparameters")),
        JobStatus.fromWire(rs.getString("status")),
        pausedFrom == null ? null : JobStatus.fromWire(pausedFrom),
        rs.getString("error"),
        rs.getLong("trained_steps"),
        instant(rs, "created_at"),
        instant(rs, "updated_at"),
        instant(rs, "finished_at"));
  }

  private static StoredEvent event(ResultSet rs, int i) throws SQLException {
    long step = rs.getLong("step");
    Long stepOrNull = rs.wasNull() ? null : step;
    return new StoredEvent(
        rs.getString("event_id"),
        rs.getLong("seq"),
        rs.getString("job_id"),
        rs.getString("source"),
        rs.getLong("sequence"),
        rs.getString("type"),
        rs.getString("level"),
        rs.getString("message"),
        Json2.readMap(rs.getString("metrics")),
        stepOrNull,
        rs.getBoolean("applied"),
        instant(rs, "created_at"));
  }
}
