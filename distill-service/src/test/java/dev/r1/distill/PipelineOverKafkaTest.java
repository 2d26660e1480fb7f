package dev.r1.distill;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.JobSubmitted;
import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.Topics;
import dev.r1.policy.PolicyServiceApplication;
import dev.r1.reward.RewardServiceApplication;
import dev.r1.sampler.SamplerServiceApplication;
import dev.r1.trainer.TrainerServiceApplication;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.kafka.test.EmbeddedKafkaKraftBroker;

/**
 * A pipeline job through the whole platform in one JVM (embedded KRaft; policy, sampler, reward,
 * trainer and distill services started with command-line settings, as the launcher does), at a size
 * that only checks the plumbing: one-digit arithmetic, a few steps per stage. Cold start and
 * distillation run in the distill-service, the GRPO stages as child jobs on the trainer-service,
 * rejection sampling through the sampler and reward services.
 *
 * <p>{@code -Dr1.pipeline.e2e.preset=quick} (or {@code default}) runs that preset unchanged instead
 * (the demo's timing; the test then takes minutes).
 */
class PipelineOverKafkaTest {

  @Test
  void pipelineRunsEveryStageThroughTheServices() throws Exception {
    Path work = Files.createTempDirectory("pipeline-test");
    EmbeddedKafkaKraftBroker broker = new EmbeddedKafkaKraftBroker(1, 1);
    broker.brokerProperty("auto.create.topics.enable", "true");
    broker.brokerProperty("message.max.bytes", String.valueOf(32 * 1024 * 1024));
    broker.afterPropertiesSet();
    String bootstrap = broker.getBrokersAsString();
    List<ConfigurableApplicationContext> contexts = new ArrayList<>();
    try {
      ConfigurableApplicationContext policy =
          run(
              contexts,
              PolicyServiceApplication.class,
              "policy-service",
              bootstrap,
              "--r1.policy.store-dir=" + work.resolve("policy-store"),
              "--r1.policy.builtin-tiny-model=true",
              "--spring.servlet.multipart.max-file-size=-1",
              "--spring.servlet.multipart.max-request-size=-1");
      String policyUrl = "http://127.0.0.1:" + port(policy);
      run(
          contexts,
          RewardServiceApplication.class,
          "reward-service",
          bootstrap,
          "--server.tomcat.max-swallow-size=32MB");
      run(
          contexts,
          SamplerServiceApplication.class,
          "sampler-service",
          bootstrap,
          "--r1.sampler.instance-id=sampler-0",
          "--r1.sampler.policy-service-url=" + policyUrl,
          "--r1.sampler.cache-dir=" + work.resolve("sampler-cache"),
          "--r1.sampler.base-model=tiny-random");
      run(
          contexts,
          TrainerServiceApplication.class,
          "trainer-service",
          bootstrap,
          "--r1.trainer.work-dir=" + work.resolve("trainer"),
          "--r1.trainer.policy-service-url=" + policyUrl);
      ConfigurableApplicationContext distill =
          run(
              contexts,
              DistillServiceApplication.class,
              "distill-service",
              bootstrap,
              "--r1.distill.data-dir=" + work.resolve("distill"),
              "--r1.distill.policy-service-url=" + policyUrl);

      String id = "pipe-" + UUID.randomUUID().toString().substring(0, 8);
      Map<String, Object> h = new LinkedHashMap<>();
      String preset = System.getProperty("r1.pipeline.e2e.preset");
      h.put("preset", preset == null ? "quick" : preset);
      h.put("digits", 1);
      h.put("teacher_hidden", 48);
      h.put("student_hidden", 32);
      h.put("cold_start_rows", 40);
      h.put("cold_start_steps", 120);
      h.put("sft_batch", 16);
      h.put("grpo1_steps", 2);
      h.put("grpo2_steps", 2);
      h.put("prompts_per_step", 8);
      h.put("group_size", 4);
      h.put("max_new_tokens", 24);
      h.put("rs_prompts", 40);
      h.put("rs_samples", 4);
      h.put("rs_sft_steps", 5);
      h.put("distill_steps", 10);
      h.put("stage_eval_prompts", 4);
      h.put("stage_eval_samples", 2);
      h.put("eval_prompts", 8);
      h.put("eval_samples", 4);
      if (preset != null) {
        h.keySet().retainAll(java.util.Set.of("preset"));
      }
      h.put("stages", List.of("sft", "grpo", "eval")); // a gateway field the pipeline ignores
      JobSubmitted job =
          new JobSubmitted(
              JobSubmitted.SCHEMA_VERSION,
              id,
              "pipeline",
              "tiny-random",
              "builtin-arithmetic",
              "builtin:arithmetic",
              Map.of(),
              h,
              "test",
              Instant.now());
      Properties pp = new Properties();
      pp.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(pp, new StringSerializer(), new ByteArraySerializer())) {
        producer.send(new ProducerRecord<>(Topics.JOBS, Keys.of(job), Json.encode(job))).get();
      }

      long t0 = System.nanoTime();
      List<JobEvent> events =
          awaitTerminal(bootstrap, id, Duration.ofMinutes(preset == null ? 10 : 40));
      System.out.printf(
          "Pipeline %s (preset %s) took %.0f s.%n",
          id, h.get("preset"), (System.nanoTime() - t0) / 1e9);
      JobEvent done = events.get(events.size() - 1);
      assertThat(done.type()).as(done.message()).isEqualTo(JobEventType.SUCCEEDED);
      List<JobEvent> started =
          events.stream().filter(e -> e.type() == JobEventType.STAGE_STARTED).toList();
      List<JobEvent> completed =
          events.stream().filter(e -> e.type() == JobEventType.STAGE_COMPLETED).toList();
      assertThat(started).hasSize(6);
      assertThat(completed).hasSize(6);
      for (int i = 0; i < 6; i++) {
        assertThat(started.get(i).metrics()).containsEntry("stage", (double) (i + 1));
        assertThat(started.get(i).message()).startsWith("Stage " + (i + 1) + " of 6 (");
        assertThat(completed.get(i).metrics())
            .containsEntry("stage", (double) (i + 1))
            .containsKeys(
                "policy_version",
                "eval.pass_at_1",
                "eval.cons_at_k",
                "eval.format_rate",
                "eval.language_rate",
                "eval.mean_length",
                "eval.reflection_rate");
      }
      assertThat(completed.get(1).message()).contains("job:" + id + "-s2-grpo@");
      assertThat(completed.get(1).metrics().get("policy_version")).isGreaterThan(1.0);
      assertThat(completed.get(5).metrics()).containsKey("student.eval.pass_at_1");
      assertThat(events)
          .anyMatch(
              e ->
                  e.type() == JobEventType.STEP_METRICS
                      && e.metrics().getOrDefault("stage", 0.0) == 2.0
                      && e.metrics().containsKey("reward_mean")
                      && e.metrics().containsKey("reflection_rate"));
      assertThat(events)
          .anyMatch(e -> e.type() == JobEventType.MESSAGE && e.message().contains("ignores"));
      // every stage's model is a registered version
      HttpClient http = HttpClient.newHttpClient();
      for (String child :
          List.of("s1-cold_start", "s2-grpo", "s3-rejection_sft", "s4-grpo", "s5-distill")) {
        HttpResponse<String> r =
            http.send(
                HttpRequest.newBuilder(
                        URI.create(policyUrl + "/v1/jobs/" + id + "-" + child + "/versions/latest"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(child).isEqualTo(200);
      }
      Path traces = work.resolve("distill/jobs/" + id + "/stage-5/teacher-traces.jsonl");
      assertThat(Files.readAllLines(traces))
          .isNotEmpty()
          .allMatch(l -> l.contains("\"model\":\"job:" + id + "-s4-grpo@"));
      assertThat(work.resolve("distill/jobs/" + id + "/eval.json")).isRegularFile();
      HttpResponse<String> status =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + port(distill) + "/v1/distill/jobs/" + id))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(status.body()).contains("\"state\":\"succeeded\"");
    } finally {
      for (int i = contexts.size() - 1; i >= 0; i--) {
        contexts.get(i).close();
      }
      broker.destroy();
    }
  }

  private static ConfigurableApplicationContext run(
      List<ConfigurableApplicationContext> contexts,
      Class<?> app,
      String name,
      String bootstrap,
      String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "--spring.application.name=" + name,
                "--server.port=0",
                "--spring.kafka.bootstrap-servers=" + bootstrap,
                "--management.endpoints.web.exposure.include=health,info,prometheus",
                "--management.metrics.tags.application=" + name,
                "--spring.main.banner-mode=off"));
    args.addAll(List.of(extra));
    ConfigurableApplicationContext ctx =
        new SpringApplicationBuilder(app).run(args.toArray(String[]::new));
    contexts.add(ctx);
    return ctx;
  }

  private static int port(ConfigurableApplicationContext ctx) {
    return ((WebServerApplicationContext) ctx).getWebServer().getPort();
  }

  private static List<JobEvent> awaitTerminal(String bootstrap, String jobId, Duration timeout) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
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
            if (e.type() == JobEventType.STAGE_STARTED
                || e.type() == JobEventType.STAGE_COMPLETED
                || e.type().terminal()) {
              System.out.println(e.type() + " " + e.message() + " " + e.metrics());
            }
            if (e.type().terminal()) {
              return out;
            }
          }
        }
      }
    }
    throw new AssertionError(
        "job " + jobId + " did not finish in " + timeout + "; saw " + out.size() + " events");
  }
}
