package dev.r1.gateway.metrics;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.springframework.jdbc.core.simple.JdbcClient;
import org.springframework.stereotype.Component;

/**
 * {@code r1.gateway.jobs} gauges: the number of jobs in the registry per {@code state} (every
 * state, zero included, so a dashboard shows all of them). One {@code GROUP BY} query serves a
 * scrape; its result is reused for a few seconds so the seven gauges cost one query.
 */
@Component
class JobStateMetrics {

  /** The job states as the API writes them (gateway.jobs.JobStatus). */
  static final List<String> STATES =
      List.of("validating", "queued", "running", "paused", "succeeded", "failed", "cancelled");

  private static final long REFRESH_NANOS = 5_000_000_000L;

  private final JdbcClient jdbc;
  private Map<String, Long> counts = Map.of();
  private long readAt = Long.MIN_VALUE;

  JobStateMetrics(JdbcClient jdbc, MeterRegistry registry) {
    this.jdbc = jdbc;
    for (String state : STATES) {
      Gauge.builder("r1.gateway.jobs", this, m -> m.count(state))
          .description("Jobs in the registry by state")
          .tag("state", state)
          .register(registry);
    }
  }

  private synchronized double count(String state) {
    long now = System.nanoTime();
    if (readAt == Long.MIN_VALUE || now - readAt > REFRESH_NANOS) {
      Map<String, Long> fresh = new HashMap<>();
      jdbc.sql("SELECT status, COUNT(*) AS n FROM jobs GROUP BY status")
          .query((rs, i) -> Map.entry(rs.getString("status"), rs.getLong("n")))
          .list()
          .forEach(e -> fresh.put(e.getKey(), e.getValue()));
      counts = fresh;
      readAt = now;
    }
    return counts.getOrDefault(state, 0L);
  }
}
