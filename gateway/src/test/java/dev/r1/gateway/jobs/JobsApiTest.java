package dev.r1.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.contracts.JobSubmitted;
import dev.r1.contracts.Json;
import dev.r1.contracts.Topics;
import dev.r1.gateway.Api;
import dev.r1.gateway.PostgresKafkaTest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

class JobsApiTest extends PostgresKafkaTest {

  @Autowired EmbeddedKafkaBroker broker;

  @Test
  void createsJobWithDocumentedDefaultsAndHandsItToTheWorkers() throws Exception {
    String key = newKey("alice");
    String ds = uploadDataset(key, 3);
    Api.Response r = createJob(key, ds, "\"hyperparameters\":{\"group_size\":4}");
    assertThat(r.status()).as(r.body()).isEqualTo(201);
    JsonNode job = r.json();
    String id = job.get("id").asText();
    assertThat(id).startsWith("job-");
    assertThat(job.get("object").asText()).isEqualTo("job");
    assertThat(job.get("status").asText()).isEqualTo("validating");
    assertThat(job.get("dataset").asText()).isEqualTo(ds);
    JsonNode hp = job.get("hyperparameters");
    assertThat(hp.get("group_size").asLong()).isEqualTo(4);
    assertThat(hp.get("learning_rate").asDouble()).isEqualTo(2e-4);
    assertThat(hp.get("loss_aggregation").asText()).isEqualTo("token_mean");
    assertThat(hp.get("dynamic_sampling").asBoolean()).isTrue();
    assertThat(hp.has("importance_ratio_cap")).isFalse();
    assertThat(hp.get("max_staleness").asLong()).isEqualTo(1);
    assertThat(job.get("reward").get("functions").get(0).get("name").asText())
        .isEqualTo("accuracy");
    assertThat(job.get("finished_at").isNull()).isTrue();

    JobSubmitted submitted = awaitSubmitted(id);
    assertThat(submitted.method()).isEqualTo("grpo");
    assertThat(submitted.model()).isEqualTo("tiny-arith");
    assertThat(submitted.datasetId()).isEqualTo(ds);
    assertThat(submitted.datasetUri()).startsWith("file:").endsWith(ds + ".jsonl");
    assertThat(submitted.hyperparameters()).containsEntry("group_size", 4);
    assertThat(submitted.owner()).startsWith("alice-");

    Api.Response got = api.get("/v1/jobs/" + id, key);
    assertThat(got.status()).isEqualTo(200);
    assertThat(got.json().get("id").asText()).isEqualTo(id);

    JsonNode events = api.get("/v1/jobs/" + id + "/events", key).json();
    assertThat(events.get("data").get(0).get("type").asText()).isEqualTo("created");
    assertThat(events.get("data").get(0).get("source").asText()).isEqualTo("gateway");
  }

  @Test
  void paginatesNewestFirstWithAfterCursorAndFilters() {
    String key = newKey("pager");
    String ds = uploadDataset(key, 2);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(createJob(key, ds, null).json().get("id").asText());
    }
    ids.add(
        api.postJson(
                "/v1/jobs",
                key,
                "{\"method\":\"sft\",\"model\":\"tiny-arith\",\"dataset\":\"" + ds + "\"}")
            .json()
            .get("id")
            .asText());
    List<String> newestFirst = new ArrayList<>(ids);
    java.util.Collections.reverse(newestFirst);

    List<String> seen = new ArrayList<>();
    String after = null;
    int pages = 0;
    boolean hasMore = true;
    while (hasMore) {
      JsonNode page =
          api.get("/v1/jobs?limit=4" + (after == null ? "" : "&after=" + after), key).json();
      page.get("data").forEach(j -> seen.add(j.get("id").asText()));
      hasMore = page.get("has_more").asBoolean();
      after = seen.get(seen.size() - 1);
      pages++;
    }
    assertThat(pages).isEqualTo(2);
    assertThat(seen).containsExactlyElementsOf(newestFirst);

    JsonNode sft = api.get("/v1/jobs?method=sft", key).json();
    assertThat(sft.get("data")).hasSize(1);
    assertThat(sft.get("data").get(0).get("id").asText()).isEqualTo(ids.get(5));
    api.post("/v1/jobs/" + ids.get(0) + "/cancel", key, null, new byte[0]);
    JsonNode cancelled = api.get("/v1/jobs?status=cancelled", key).json();
    assertThat(cancelled.get("data")).hasSize(1);
    assertThat(cancelled.get("has_more").asBoolean()).isFalse();
  }

  @Test
  void cancelPauseAndResumeMoveTheJobAndConflictWhereTheyDoNotApply() {
    String key = newKey("ops");
    String ds = uploadDataset(key, 2);
    String id = createJob(key, ds, null).json().get("id").asText();

    Api.Response resumeEarly = api.post("/v1/jobs/" + id + "/resume", key, null, new byte[0]);
    assertThat(resumeEarly.status()).isEqualTo(409);
    assertThat(resumeEarly.isProblem()).isTrue();

    Api.Response paused = api.post("/v1/jobs/" + id + "/pause", key, null, new byte[0]);
    assertThat(paused.status()).isEqualTo(200);
    assertThat(paused.json().get("status").asText()).isEqualTo("paused");
    assertThat(api.post("/v1/jobs/" + id + "/pause", key, null, new byte[0]).status())
        .isEqualTo(409);

    Api.Response resumed = api.post("/v1/jobs/" + id + "/resume", key, null, new byte[0]);
    assertThat(resumed.json().get("status").asText()).isEqualTo("validating");

    Api.Response cancelled = api.post("/v1/jobs/" + id + "/cancel", key, null, new byte[0]);
    assertThat(cancelled.status()).isEqualTo(200);
    assertThat(cancelled.json().get("status").asText()).isEqualTo("cancelled");
    assertThat(cancelled.json().get("finished_at").isNumber()).isTrue();
    Api.Response again = api.post("/v1/jobs/" + id + "/cancel", key, null, new byte[0]);
    assertThat(again.status()).isEqualTo(409);
    assertThat(again.json().get("detail").asText()).contains("already cancelled");
    assertThat(api.post("/v1/jobs/" + id + "/pause", key, null, new byte[0]).status())
        .isEqualTo(409);

    List<String> types = new ArrayList<>();
    api.get("/v1/jobs/" + id + "/events", key)
        .json()
        .get("data")
        .forEach(e -> types.add(e.get("type").asText()));
    assertThat(types).containsExactly("created", "paused", "resumed", "cancelled");
  }

  @Test
  void pagesThroughEventsOldestFirstWithAfterCursor() {
    String key = newKey("events");
    String id = createJob(key, uploadDataset(key, 2), null).json().get("id").asText();
    api.post("/v1/jobs/" + id + "/pause", key, null, new byte[0]);
    api.post("/v1/jobs/" + id + "/resume", key, null, new byte[0]);
    api.post("/v1/jobs/" + id + "/cancel", key, null, new byte[0]);
    JsonNode first = api.get("/v1/jobs/" + id + "/events?limit=3", key).json();
    assertThat(first.get("data")).hasSize(3);
    assertThat(first.get("has_more").asBoolean()).isTrue();
    assertThat(first.get("data").get(0).get("type").asText()).isEqualTo("created");
    String after = first.get("data").get(2).get("id").asText();
    JsonNode rest = api.get("/v1/jobs/" + id + "/events?limit=3&after=" + after, key).json();
    assertThat(rest.get("data")).hasSize(1);
    assertThat(rest.get("data").get(0).get("type").asText()).isEqualTo("cancelled");
    assertThat(rest.get("has_more").asBoolean()).isFalse();
    JsonNode paused = api.get("/v1/jobs/" + id + "/events?type=paused", key).json();
    assertThat(paused.get("data")).hasSize(1);
    assertThat(api.get("/v1/jobs/" + id + "/checkpoints", key).json().get("data")).isEmpty();
  }

  @Test
  void unknownJobIs404AsProblemJson() {
    String key = newKey("nobody");
    for (String path :
        List.of(
            "/v1/jobs/job-doesnotexist",
            "/v1/jobs/job-doesnotexist/events",
            "/v1/jobs/job-doesnotexist/checkpoints",
            "/v1/jobs/job-doesnotexist/metrics")) {
      Api.Response r = api.get(path, key);
      assertThat(r.status()).as(path).isEqualTo(404);
      assertThat(r.isProblem()).as(path).isTrue();
    }
    assertThat(api.post("/v1/jobs/job-doesnotexist/cancel", key, null, new byte[0]).status())
        .isEqualTo(404);
  }

  @Test
  void listsModelsAndMethodsWithDefaults() {
    String key = newKey("lister");
    JsonNode models = api.get("/v1/models", key).json();
    List<String> ids = new ArrayList<>();
    models.get("data").forEach(m -> ids.add(m.get("id").asText()));
    assertThat(ids).contains("tiny-arith", "tiny-countdown");
    JsonNode methods = api.get("/v1/methods", key).json();
    JsonNode grpo = null;
    for (JsonNode m : methods.get("data")) {
      if (m.get("id").asText().equals("grpo")) {
        grpo = m;
      }
    }
    assertThat(grpo).isNotNull();
    JsonNode groupSize = null;
    for (JsonNode p : grpo.get("hyperparameters")) {
      if (p.get("name").asText().equals("group_size")) {
        groupSize = p;
      }
    }
    assertThat(groupSize.get("default").asInt()).isEqualTo(8);
    assertThat(groupSize.get("minimum").asDouble()).isEqualTo(2.0);
  }

  private JobSubmitted awaitSubmitted(String jobId) {
    Map<String, Object> props =
        Map.of(
            ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG,
            broker.getBrokersAsString(),
            ConsumerConfig.GROUP_ID_CONFIG,
            "test-" + UUID.randomUUID(),
            ConsumerConfig.AUTO_OFFSET_RESET_CONFIG,
            "earliest");
    try (KafkaConsumer<String, byte[]> consumer =
        new KafkaConsumer<>(props, new StringDeserializer(), new ByteArrayDeserializer())) {
      consumer.subscribe(List.of(Topics.JOBS));
      long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
          if (jobId.equals(rec.key())) {
            return Json.decode(rec.topic(), rec.value(), JobSubmitted.class);
          }
        }
      }
    }
    throw new AssertionError("no JobSubmitted for " + jobId + " on " + Topics.JOBS);
  }
}
