package dev.r1.distill;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.contracts.DeadLetter;
import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.JobSubmitted;
import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.Topics;
import dev.r1.policy.PolicyServiceApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.UUID;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * The distill-service's jobs over a real broker (embedded KRaft) with the real policy-service:
 * JobSubmitted in, JobEvents out. Both services start as the launcher starts them, with every
 * setting a command-line argument.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DistillJobsOverKafkaTest {

  private EmbeddedKafkaKraftBroker broker;
  private ConfigurableApplicationContext policy;
  private ConfigurableApplicationContext distill;
  private String policyUrl;
  private Path work;
  private final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  void start() throws Exception {
    work = Files.createTempDirectory("distill-test");
    broker = new EmbeddedKafkaKraftBroker(1, 1);
    broker.brokerProperty("auto.create.topics.enable", "true");
    broker.brokerProperty("message.max.bytes", String.valueOf(32 * 1024 * 1024));
    broker.afterPropertiesSet();
    String bootstrap = broker.getBrokersAsString();
    policy =
        new SpringApplicationBuilder(PolicyServiceApplication.class)
            .run(
                "--spring.application.name=policy-service",
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + bootstrap,
                "--r1.policy.store-dir=" + work.resolve("policy-store"),
                "--r1.policy.builtin-tiny-model=true",
                "--spring.servlet.multipart.max-file-size=-1",
                "--spring.servlet.multipart.max-request-size=-1",
                "--spring.main.banner-mode=off");
    policyUrl = "http://127.0.0.1:" + port(policy);
    distill =
        new SpringApplicationBuilder(DistillServiceApplication.class)
            .run(
                "--spring.application.name=distill-service",
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + bootstrap,
                "--r1.distill.data-dir=" + work.resolve("distill"),
                "--r1.distill.policy-service-url=" + policyUrl,
                "--management.endpoints.web.exposure.include=health,info,prometheus",
                "--spring.main.banner-mode=off");
  }

  @AfterAll
  void stop() {
    if (distill != null) {
      distill.close();
    }
    if (policy != null) {
      policy.close();
    }
    if (broker != null) {
      broker.destroy();
    }
  }

  private static int port(ConfigurableApplicationContext ctx) {
    return ((WebServerApplicationContext) ctx).getWebServer().getPort();
  }

  private void submit(JobSubmitted job) throws Exception {
    send(Topics.JOBS, Keys.of(job), Json.encode(job));
  }

  private void send(String topic, String key, byte[] value) throws Exception {
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(topic, key, value)).get();
    }
  }

  /** Reads the job's events until a terminal one (or the timeout). */
  private List<JobEvent> awaitTerminal(String jobId, Duration timeout) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<JobEvent> out = new ArrayList<>();
    long deadline = System.nanoTime() + timeout.toNanos();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(Topics.JOB_EVENTS));
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
          JobEvent e = Json.decode(Topics.JOB_EVENTS, r.value(), JobEvent.class);
          if (e.jobId().equals(jobId)) {
            out.add(e);
            if (e.type().terminal()) {
              return out;
            }
          }
        }
      }
    }
    throw new AssertionError("job " + jobId + " did not finish in " + timeout + "; saw " + out);
  }

  private static JobSubmitted job(
      String id, String method, String model, String dataset, Map<String, Object> h) {
    return new JobSubmitted(
        JobSubmitted.SCHEMA_VERSION,
        id,
        method,
        model,
        "ds-1",
        dataset,
        Map.of(),
        h,
        "test",
        Instant.now());
  }

  @Test
  void evalJobReportsPassAtOneConsAtKAndWritesResults() throws Exception {
    String id = "eval-" + UUID.randomUUID().toString().substring(0, 8);
    submit(
        job(
            id,
            "eval",
            "tiny-random",
            "builtin:arithmetic",
            Map.of("k", 4, "prompts", 6, "max_new_tokens", 12, "temperature", 1.0)));
    List<JobEvent> events = awaitTerminal(id, Duration.ofMinutes(3));
    assertThat(events.get(0).type()).isEqualTo(JobEventType.RUNNING);
    assertThat(events.get(0).source()).isEqualTo("distill-service");
    JobEvent done = events.get(events.size() - 1);
    assertThat(done.type()).as(done.message()).isEqualTo(JobEventType.SUCCEEDED);
    assertThat(done.metrics())
        .containsKeys(
            "eval.pass_at_1",
            "eval.cons_at_k",
            "eval.format_rate",
            "eval.language_rate",
            "eval.mean_length",
            "eval.reflection_rate")
        .containsEntry("eval.k", 4.0)
        .containsEntry("eval.prompts", 6.0);
    assertThat(done.metrics().get("eval.mean_length")).isBetween(1.0, 12.0);
    Path results = work.resolve("distill").resolve("jobs").resolve(id).resolve("eval.json");
    JsonNode r = json.readTree(results.toFile());
    assertThat(r.get("prompts")).hasSize(6);
    assertThat(r.get("metrics").get("k").asDouble()).isEqualTo(4.0);
    assertThat(done.message()).contains(results.toString());
    // the job's status over HTTP
    HttpResponse<String> status =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + port(distill) + "/v1/distill/jobs/" + id))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(status.statusCode()).isEqualTo(200);
    assertThat(json.readTree(status.body()).get("state").asText()).isEqualTo("succeeded");
  }

  @Test
  void sftJobTrainsOnPromptResponseRowsAndRegistersTheModel() throws Exception {
    Path data = work.resolve("sft.jsonl");
    StringBuilder rows = new StringBuilder();
    for (int i = 0; i < 40; i++) {
      rows.append(
          json.writeValueAsString(
              Map.of(
                  "prompt",
                  i + "+1",
                  "response",
                  "<think>\n" + i + "+1\n</think>\n<answer>" + (i + 1) + "</answer>")));
      rows.append('\n');
    }
    Files.writeString(data, rows);
    String id = "sft-" + UUID.randomUUID().toString().substring(0, 8);
    submit(
        job(
            id,
            "sft",
            "tiny-random",
            data.toUri().toString(),
            Map.of("max_steps", 6, "batch_size", 4, "learning_rate", 3e-3, "eval_fraction", 0.1)));
    List<JobEvent> events = awaitTerminal(id, Duration.ofMinutes(3));
    JobEvent done = events.get(events.size() - 1);
    assertThat(done.type()).as(done.message()).isEqualTo(JobEventType.SUCCEEDED);
    List<JobEvent> steps =
        events.stream().filter(e -> e.type() == JobEventType.STEP_METRICS).toList();
    assertThat(steps).hasSize(6);
    assertThat(steps.get(0).step()).isEqualTo(1L);
    assertThat(steps.get(0).metrics()).containsKeys("loss", "learning_rate", "grad_norm");
    assertThat(steps.get(5).metrics()).containsKey("eval_loss");
    assertThat(events).anyMatch(e -> e.type() == JobEventType.CHECKPOINT);
    assertThat(done.metrics())
        .containsKeys("final_loss", "eval_loss")
        .containsEntry("policy_version", 1.0);
    assertThat(done.metrics().get("final_loss")).isLessThan(steps.get(0).metrics().get("loss"));
    HttpResponse<String> version =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(policyUrl + "/v1/jobs/" + id + "/versions/1"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(version.statusCode()).isEqualTo(200);
    assertThat(json.readTree(version.body()).get("modelType").asText()).isEqualTo("qwen2");
  }

  @Test
  void badHyperparametersFailTheJobNamingTheField() throws Exception {
    String id = "pipe-bad-" + UUID.randomUUID().toString().substring(0, 8);
    submit(job(id, "pipeline", "tiny-random", "builtin:arithmetic", Map.of("preset", "huge")));
    List<JobEvent> events = awaitTerminal(id, Duration.ofMinutes(1));
    JobEvent done = events.get(events.size() - 1);
    assertThat(done.type()).isEqualTo(JobEventType.FAILED);
    assertThat(done.message()).contains("hyperparameters.preset");
    String distillId = "distill-bad-" + UUID.randomUUID().toString().substring(0, 8);
    submit(job(distillId, "distill", "tiny-random", "builtin:arithmetic", Map.of()));
    JobEvent failed = awaitTerminal(distillId, Duration.ofMinutes(1)).get(1);
    assertThat(failed.type()).isEqualTo(JobEventType.FAILED);
    assertThat(failed.message()).contains("hyperparameters.teacher_model is required");
  }

  @Test
  void aPoisonJobGoesToTheDeadLetterTopic() throws Exception {
    send(Topics.JOBS, "broken", "{\"schemaVersion\":1,\"jobId\":\"broken\"}".getBytes());
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, broker.getBrokersAsString());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "test-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(Topics.dlt(Topics.JOBS)));
      while (System.nanoTime() < deadline) {
        for (ConsumerRecord<String, byte[]> r : c.poll(Duration.ofMillis(500))) {
          DeadLetter d = Json.decode(r.topic(), r.value(), DeadLetter.class);
          if ("r1-distill".equals(d.consumerGroup()) && "broken".equals(r.key())) {
            assertThat(d.reason()).isNotBlank();
            return;
          }
        }
      }
    }
    throw new AssertionError("no dead letter from r1-distill for the poison job");
  }
}
