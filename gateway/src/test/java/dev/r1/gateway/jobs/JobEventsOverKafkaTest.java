package dev.r1.gateway.jobs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.contracts.DeadLetter;
import dev.r1.contracts.EventLevel;
import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.Json;
import dev.r1.contracts.Topics;
import dev.r1.gateway.Api;
import dev.r1.gateway.PostgresKafkaTest;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.function.Predicate;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.core.KafkaTemplate;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/** Worker events arriving over the real (embedded) broker move jobs through the state machine. */
class JobEventsOverKafkaTest extends PostgresKafkaTest {

  @Autowired KafkaTemplate<String, byte[]> kafka;
  @Autowired EmbeddedKafkaBroker broker;
  @Autowired MeterRegistry meters;

  private long sequence;

  @Test
  void workerEventsDriveTheJobAndFeedEventsCheckpointsAndMetrics() throws Exception {
    String key = newKey("trainer-user");
    String id = createJob(key, uploadDataset(key, 2), null).json().get("id").asText();

    send(event(id, JobEventType.VALIDATING, null, Map.of(), "checking the spec"));
    send(event(id, JobEventType.QUEUED, null, Map.of(), ""));
    awaitStatus(key, id, "queued");
    send(event(id, JobEventType.RUNNING, null, Map.of(), "training"));
    for (long step = 1; step <= 3; step++) {
      send(
          event(
              id,
              JobEventType.STEP_METRICS,
              step,
              Map.of("loss", 1.0 / step, "reward_mean", 0.1 * step),
              ""));
    }
    send(event(id, JobEventType.STEP_METRICS, 3L, Map.of("kl", 0.01), ""));
    send(event(id, JobEventType.CHECKPOINT, 3L, Map.of("reward_mean", 0.3), "policy v3"));
    send(event(id, JobEventType.SUCCEEDED, 3L, Map.of(), "done"));
    JsonNode done = awaitStatus(key, id, "succeeded");
    assertThat(done.get("trained_steps").asLong()).isEqualTo(3);
    assertThat(done.get("finished_at").isNumber()).isTrue();

    JsonNode checkpoints = api.get("/v1/jobs/" + id + "/checkpoints", key).json();
    assertThat(checkpoints.get("data")).hasSize(1);
    JsonNode ckpt = checkpoints.get("data").get(0);
    assertThat(ckpt.get("step_number").asLong()).isEqualTo(3);
    assertThat(ckpt.get("checkpoint").asText()).isEqualTo("policy v3");

    JsonNode metrics = api.get("/v1/jobs/" + id + "/metrics", key).json();
    assertThat(metrics.get("steps").toString()).isEqualTo("[1,2,3]");
    assertThat(metrics.get("series").get("loss").get(1).asDouble()).isEqualTo(0.5);
    assertThat(metrics.get("series").get("reward_mean").get(2).asDouble())
        .isCloseTo(0.3, within(1e-12));
    assertThat(metrics.get("series").get("kl").get(0).isNull()).isTrue();
    assertThat(metrics.get("series").get("kl").get(2).asDouble()).isEqualTo(0.01);

    JsonNode stepEvents = api.get("/v1/jobs/" + id + "/events?type=step_metrics", key).json();
    assertThat(stepEvents.get("data")).hasSize(4);
  }

  @Test
  void replayedEventsChangeNothing() throws Exception {
    String key = newKey("replay");
    String id = createJob(key, uploadDataset(key, 2), null).json().get("id").asText();
    JobEvent running = event(id, JobEventType.RUNNING, null, Map.of(), "");
    JobEvent step = event(id, JobEventType.STEP_METRICS, 1L, Map.of("loss", 2.0), "");
    JobEvent failed = event(id, JobEventType.FAILED, 1L, Map.of(), "out of memory");
    send(running);
    send(step);
    send(failed);
    awaitStatus(key, id, "failed");
    long eventsBefore = eventCount(key, id);
    JsonNode before = api.get("/v1/jobs/" + id, key).json();

    send(running);
    send(step);
    send(failed);
    JobEvent marker = event(id, JobEventType.MESSAGE, null, Map.of(), "marker");
    send(marker);
    awaitEvent(key, id, e -> e.get("id").asText().equals(marker.eventId().toString()));

    assertThat(eventCount(key, id)).isEqualTo(eventsBefore + 1);
    JsonNode after = api.get("/v1/jobs/" + id, key).json();
    assertThat(after.get("status").asText()).isEqualTo("failed");
    assertThat(after.get("error").asText()).isEqualTo("out of memory");
    assertThat(after.get("updated_at")).isEqualTo(before.get("updated_at"));
    assertThat(api.get("/v1/jobs/" + id + "/metrics", key).json().get("steps").toString())
        .isEqualTo("[1]");
  }

  @Test
  void outOfOrderEventsAreStoredButDoNotMoveTheJob() throws Exception {
    String key = newKey("ooo");
    String id = createJob(key, uploadDataset(key, 2), null).json().get("id").asText();
    send(event(id, JobEventType.RUNNING, null, Map.of(), ""));
    awaitStatus(key, id, "running");
    JobEvent lateQueued = event(id, JobEventType.QUEUED, null, Map.of(), "late");
    send(lateQueued);
    send(event(id, JobEventType.SUCCEEDED, null, Map.of(), ""));
    awaitStatus(key, id, "succeeded");
    JobEvent lateRunning = event(id, JobEventType.RUNNING, null, Map.of(), "late");
    JobEvent lateFailed = event(id, JobEventType.FAILED, null, Map.of(), "late failure");
    send(lateRunning);
    send(lateFailed);
    awaitEvent(key, id, e -> e.get("id").asText().equals(lateFailed.eventId().toString()));

    JsonNode job = api.get("/v1/jobs/" + id, key).json();
    assertThat(job.get("status").asText()).isEqualTo("succeeded");
    assertThat(job.get("error").isNull()).isTrue();
    List<String> notApplied = new ArrayList<>();
    api.get("/v1/jobs/" + id + "/events", key)
        .json()
        .get("data")
        .forEach(
            e -> {
              if (!e.get("applied").asBoolean() && e.get("message").asText().startsWith("late")) {
                notApplied.add(e.get("type").asText());
              }
            });
    assertThat(notApplied).containsExactly("queued", "running", "failed");
  }

  @Test
  void poisonEventGoesToTheDeadLetterTopicAndTheConsumerGoesOn() throws Exception {
    String key = newKey("poison");
    String id = createJob(key, uploadDataset(key, 2), null).json().get("id").asText();
    double before = deadLetters();
    kafka
        .send(
            Topics.JOB_EVENTS,
            id,
            ("{\"schemaVersion\":1,\"jobId\":\"" + id + "\",\"type\":\"EXPLODED\"}")
                .getBytes(StandardCharsets.UTF_8))
        .get();
    send(event(id, JobEventType.QUEUED, null, Map.of(), ""));
    awaitStatus(key, id, "queued");
    assertThat(deadLetters()).isEqualTo(before + 1);

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
      consumer.subscribe(List.of(Topics.JOB_EVENTS_DLT));
      long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> rec : consumer.poll(Duration.ofMillis(500))) {
          if (id.equals(rec.key())) {
            DeadLetter letter = Json.decode(rec.topic(), rec.value(), DeadLetter.class);
            assertThat(letter.originalTopic()).isEqualTo(Topics.JOB_EVENTS);
            assertThat(letter.consumerGroup()).isEqualTo("r1-gateway");
            assertThat(letter.jobId()).isEqualTo(id);
            assertThat(letter.reason()).isNotBlank();
            return;
          }
        }
      }
    }
    throw new AssertionError("no dead letter for job " + id);
  }

  private double deadLetters() {
    var c = meters.find("r1.dead.letters").tag("topic", Topics.JOB_EVENTS).counter();
    return c == null ? 0 : c.count();
  }

  private JobEvent event(
      String jobId, JobEventType type, Long step, Map<String, Double> metrics, String message) {
    return new JobEvent(
        JobEvent.SCHEMA_VERSION,
        jobId,
        UUID.randomUUID(),
        sequence++,
        "trainer-service",
        type,
        type == JobEventType.FAILED ? EventLevel.ERROR : EventLevel.INFO,
        message,
        metrics,
        step,
        Instant.now());
  }

  private void send(JobEvent e) throws Exception {
    kafka.send(Topics.JOB_EVENTS, e.jobId(), Json.encode(e)).get();
  }

  private long eventCount(String key, String id) {
    return api.get("/v1/jobs/" + id + "/events?limit=100", key).json().get("data").size();
  }

  private JsonNode awaitStatus(String key, String id, String status) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    JsonNode job = null;
    while (System.nanoTime() < deadline) {
      job = api.get("/v1/jobs/" + id, key).json();
      if (job.get("status").asText().equals(status)) {
        return job;
      }
      Thread.sleep(50);
    }
    throw new AssertionError("job " + id + " never reached " + status + ": " + job);
  }

  private void awaitEvent(String key, String id, Predicate<JsonNode> match)
      throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
    while (System.nanoTime() < deadline) {
      Api.Response r = api.get("/v1/jobs/" + id + "/events?limit=100", key);
      for (JsonNode e : r.json().get("data")) {
        if (match.test(e)) {
          return;
        }
      }
      Thread.sleep(50);
    }
    throw new AssertionError("event never arrived for job " + id);
  }
}
