package dev.r1.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.contracts.EventLevel;
import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.gateway.Api;
import dev.r1.gateway.PostgresKafkaTest;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;

/**
 * The read cache behind GET job / events / metrics: read-your-writes on this replica, changes made
 * behind its back (another replica) seen within max-age, conditional GETs, and pages older than it
 * holds read from the database.
 */
class JobReadCacheTest extends PostgresKafkaTest {

  @Autowired JobService jobs;

  @Test
  void appliedEventsShowAtOnceAndUnchangedStateIs304() throws Exception {
    String key = newKey("cache");
    String id = createJob(key, uploadDataset(key, 3), null).json().get("id").asText();
    HttpResponse<String> first = get("/v1/jobs/" + id, key, null);
    assertThat(first.statusCode()).isEqualTo(200);
    String tag = first.headers().firstValue("ETag").orElseThrow();
    assertThat(first.headers().firstValue("Cache-Control")).hasValue("private, no-cache");
    HttpResponse<String> again = get("/v1/jobs/" + id, key, tag);
    assertThat(again.statusCode()).isEqualTo(304);
    assertThat(again.body()).isEmpty();

    jobs.apply(step(id, 7));
    HttpResponse<String> changed = get("/v1/jobs/" + id, key, tag);
    assertThat(changed.statusCode()).isEqualTo(200);
    assertThat(Api.JSON.readTree(changed.body()).get("trained_steps").asLong()).isEqualTo(7);
    assertThat(changed.headers().firstValue("ETag").orElseThrow()).isNotEqualTo(tag);

    HttpResponse<String> events = get("/v1/jobs/" + id + "/events", key, null);
    JsonNode data = Api.JSON.readTree(events.body()).get("data");
    assertThat(data.get(data.size() - 1).get("step").asLong()).isEqualTo(7);
    String eventsTag = events.headers().firstValue("ETag").orElseThrow();
    assertThat(get("/v1/jobs/" + id + "/events", key, eventsTag).statusCode()).isEqualTo(304);
    // a tag names one page: the same state asked for another page is not "not modified"
    assertThat(get("/v1/jobs/" + id + "/events?limit=1", key, eventsTag).statusCode())
        .isEqualTo(200);

    // someone else's key still gets 404, cached or not
    assertThat(get("/v1/jobs/" + id, newKey("other"), null).statusCode()).isEqualTo(404);
  }

  @Test
  void changesMadeBehindItsBackShowWithinMaxAge() throws Exception {
    String key = newKey("cache");
    String id = createJob(key, uploadDataset(key, 3), null).json().get("id").asText();
    assertThat(get("/v1/jobs/" + id, key, null).statusCode()).isEqualTo(200);
    // what the other replica would do: write the database without this replica's cache knowing
    jdbc.sql("UPDATE jobs SET trained_steps = 99, updated_at = now() WHERE id = ?")
        .params(id)
        .update();
    insertEvents(id, 1);
    long start = System.nanoTime();
    JsonNode job;
    do {
      Thread.sleep(50);
      job = Api.JSON.readTree(get("/v1/jobs/" + id, key, null).body());
    } while (job.get("trained_steps").asLong() != 99 && System.nanoTime() - start < 10e9);
    assertThat(job.get("trained_steps").asLong()).isEqualTo(99);
    // max-age is 1 s; the margin is for a loaded machine
    assertThat((System.nanoTime() - start) / 1e9).isLessThan(5.0);
    JsonNode data =
        Api.JSON.readTree(get("/v1/jobs/" + id + "/events", key, null).body()).get("data");
    assertThat(data.get(data.size() - 1).get("message").asText()).isEqualTo("bulk 1");
  }

  @Test
  void pagesOlderThanTheCachedWindowComeFromTheDatabase() throws Exception {
    String key = newKey("cache");
    String id = createJob(key, uploadDataset(key, 3), null).json().get("id").asText();
    insertEvents(id, 2_100); // more than max-events (2000)
    List<String> stored =
        jdbc.sql("SELECT event_id FROM job_events WHERE job_id = ? ORDER BY seq")
            .params(id)
            .query(String.class)
            .list();
    List<String> served = new ArrayList<>();
    String after = null;
    boolean more = true;
    while (more) {
      JsonNode page =
          Api.JSON.readTree(
              get(
                      "/v1/jobs/"
                          + id
                          + "/events?limit=100"
                          + (after == null ? "" : "&after=" + after),
                      key,
                      null)
                  .body());
      for (JsonNode e : page.get("data")) {
        served.add(e.get("id").asText());
        after = e.get("id").asText();
      }
      more = page.get("has_more").asBoolean();
    }
    assertThat(served).isEqualTo(stored);
    JsonNode metrics = Api.JSON.readTree(get("/v1/jobs/" + id + "/metrics", key, null).body());
    assertThat(metrics.get("steps")).hasSize(2_100);
  }

  private void insertEvents(String jobId, int n) {
    jdbc.sql(
            "INSERT INTO job_events (event_id, job_id, source, sequence, type, level, message,"
                + " metrics, step, applied, created_at) SELECT gen_random_uuid()::text, ?,"
                + " 'trainer-service', i, 'STEP_METRICS', 'INFO', 'bulk ' || i, '{\"loss\":1.0}',"
                + " 1000 + i, false, now() FROM generate_series(1, ?) AS i ORDER BY i")
        .params(jobId, n)
        .update();
  }

  private static JobEvent step(String jobId, long step) {
    return new JobEvent(
        1,
        jobId,
        UUID.randomUUID(),
        step,
        "trainer-service",
        JobEventType.STEP_METRICS,
        EventLevel.INFO,
        "",
        Map.of("loss", 0.5),
        step,
        Instant.now());
  }

  private HttpResponse<String> get(String path, String key, String ifNoneMatch) throws Exception {
    HttpRequest.Builder b = api.request(path, key).GET();
    if (ifNoneMatch != null) {
      b.header("If-None-Match", ifNoneMatch);
    }
    return java.net.http.HttpClient.newBuilder()
        .version(java.net.http.HttpClient.Version.HTTP_1_1)
        .build()
        .send(b.build(), HttpResponse.BodyHandlers.ofString());
  }
}
