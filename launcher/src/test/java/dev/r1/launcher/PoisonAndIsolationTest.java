package dev.r1.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.contracts.ContractViolationException;
import dev.r1.contracts.DeadLetter;
import dev.r1.contracts.GroupRef;
import dev.r1.contracts.Json;
import dev.r1.contracts.PoisonMessageException;
import dev.r1.contracts.PolicyPublished;
import dev.r1.contracts.PromptTask;
import dev.r1.contracts.ScoredGroup;
import dev.r1.contracts.Topics;
import dev.r1.contracts.TrainingBatch;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
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
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Hostile messages and two concurrent jobs through one fleet (policy, sampler, reward, trainer on
 * an embedded KRaft broker). Poison on every topic a service consumes lands on that topic's
 * dead-letter topic with a reason and bumps {@code r1.dead.letters}; the consumers go on, so two
 * GRPO jobs submitted after the poison both succeed; and no prompt, score or batch of one job
 * reaches the other.
 */
@Tag("fault")
class PoisonAndIsolationTest {

  @TempDir static Path dir;

  /** Garbage for each consumed topic: not JSON, and JSON that breaks the contract. */
  static Map<String, List<byte[]>> poison() {
    Map<String, List<byte[]>> out = new HashMap<>();
    for (String topic :
        List.of(
            Topics.JOBS,
            Topics.PROMPTS,
            Topics.SAMPLED_GROUPS,
            Topics.SCORED_GROUPS,
            Topics.POLICY_PUBLISHED,
            Topics.JOB_EVENTS)) {
      out.put(
          topic,
          List.of(
              "this is not json {".getBytes(StandardCharsets.UTF_8),
              "{\"schemaVersion\":1,\"jobId\":\"poison-job\",\"step\":\"x\"}"
                  .getBytes(StandardCharsets.UTF_8)));
    }
    return out;
  }

  @Test
  void poisonIsDeadLetteredAndTwoJobsStayApart() throws Exception {
    // the gateway too: it is the consumer of job events
    LocalPlatform.Gateway gateway =
        new LocalPlatform.Gateway(0, "r1-poison-test-key-0123456789", null, null, null);
    try (LocalPlatform platform =
        LocalPlatform.start(
            new LocalPlatform.Options(dir.resolve("platform"), null, 1, gateway, false))) {
      // an untrained model is enough: the jobs must finish, not learn
      platform.installBaseModel("tiny-arith", platform.store().modelDir("tiny-random"));
      Properties p = new Properties();
      p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
      Map<String, List<byte[]>> poison = poison();
      try (KafkaProducer<String, byte[]> producer =
          new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
        for (var e : poison.entrySet()) {
          for (byte[] payload : e.getValue()) {
            producer.send(new ProducerRecord<>(e.getKey(), "poison-job", payload)).get();
          }
        }
      }

      // two jobs at once, after the poison
      String a = "iso-a";
      String b = "iso-b";
      Map<String, Object> common =
          Map.of("dynamic_sampling", false, "batch_prompts", 4, "group_size", 4);
      PlatformFixtures.submit(platform, a, 3, common);
      PlatformFixtures.submit(platform, b, 3, common);
      for (String job : List.of(a, b)) {
        JsonNode status = PlatformFixtures.awaitDone(platform, job, Duration.ofMinutes(15));
        assertThat(status.get("state").asText()).as(status.toString()).isEqualTo("succeeded");
      }

      // every poison record is on its dead-letter topic, with the reason
      for (var e : poison.entrySet()) {
        List<DeadLetter> letters =
            PlatformFixtures.read(platform, Topics.dlt(e.getKey()), DeadLetter.class).stream()
                .filter(d -> d.originalTopic().equals(e.getKey()))
                .toList();
        assertThat(letters).as(e.getKey()).hasSizeGreaterThanOrEqualTo(e.getValue().size());
        for (DeadLetter d : letters) {
          assertThat(d.reason()).as(e.getKey()).isNotBlank();
          assertThat(d.consumerGroup()).as(e.getKey()).isNotBlank();
        }
      }
      // and counted by the services that consume those topics
      assertThat(deadLetters(platform, platform.samplerUrl(), Topics.PROMPTS))
          .isGreaterThanOrEqualTo(2);
      assertThat(deadLetters(platform, platform.samplerUrl(), Topics.POLICY_PUBLISHED))
          .isGreaterThanOrEqualTo(2);
      assertThat(deadLetters(platform, platform.rewardUrl(), Topics.SAMPLED_GROUPS))
          .isGreaterThanOrEqualTo(2);
      assertThat(deadLetters(platform, platform.trainerUrl(), Topics.SCORED_GROUPS))
          .isGreaterThanOrEqualTo(2);
      assertThat(deadLetters(platform, platform.trainerUrl(), Topics.JOBS))
          .isGreaterThanOrEqualTo(2);

      // isolation: every trained group of a job is a group that job published and scored
      List<PromptTask> prompts =
          PlatformFixtures.read(platform, Topics.PROMPTS, PromptTask.class, true);
      List<ScoredGroup> scored =
          PlatformFixtures.read(platform, Topics.SCORED_GROUPS, ScoredGroup.class, true);
      List<TrainingBatch> batches =
          PlatformFixtures.read(platform, Topics.TRAINING_BATCHES, TrainingBatch.class, true);
      List<PolicyPublished> policies =
          PlatformFixtures.read(platform, Topics.POLICY_PUBLISHED, PolicyPublished.class, true);
      // group and completion ids are a job's own (both jobs count s0-p0, s0-p1, ...): a trained
      // group is traced by the scored-groups record (partition, offset) it came from
      Map<String, ScoredGroup> scoredAt = scoredByPosition(platform);
      for (TrainingBatch batch : batches) {
        for (GroupRef g : batch.groups()) {
          ScoredGroup source = scoredAt.get(g.sourcePartition() + "@" + g.sourceOffset());
          assertThat(source).as("%s %s traces to a scored group", batch.jobId(), g).isNotNull();
          assertThat(source.jobId()).as("%s trained %s", batch.jobId(), g).isEqualTo(batch.jobId());
          assertThat(source.groupId()).isEqualTo(g.groupId());
        }
      }
      for (String job : List.of(a, b)) {
        Set<String> published =
            prompts.stream()
                .filter(t -> t.jobId().equals(job))
                .map(PromptTask::resolvedGroupId)
                .collect(Collectors.toSet());
        Set<String> own = completions(scored, job);
        List<TrainingBatch> jobBatches =
            batches.stream().filter(x -> x.jobId().equals(job)).toList();
        assertThat(jobBatches).as(job).hasSize(3);
        Set<String> trained = new HashSet<>();
        for (TrainingBatch batch : jobBatches) {
          for (GroupRef g : batch.groups()) {
            assertThat(published).as(job).contains(g.groupId());
            assertThat(own).as(job).containsAll(g.completionIds());
            assertThat(trained.add(g.groupId())).as("%s trained %s twice", job, g).isTrue();
          }
        }
        // each scored group of the job was scored with the job's own prompt task
        for (ScoredGroup s : scored) {
          if (s.jobId().equals(job)) {
            assertThat(s.group().task().jobId()).isEqualTo(job);
            assertThat(published).contains(s.groupId());
          }
        }
        // versions of a job count up from 1 without gaps
        List<Long> versions =
            policies.stream()
                .filter(x -> x.jobId().equals(job))
                .map(PolicyPublished::version)
                .distinct()
                .sorted()
                .toList();
        assertThat(versions).as(job).isNotEmpty();
        for (int i = 0; i < versions.size(); i++) {
          assertThat(versions.get(i)).as(job).isEqualTo(i + 1L);
        }
      }
    }
  }

  /** Every decodable scored group by its record's "partition@offset". */
  private static Map<String, ScoredGroup> scoredByPosition(LocalPlatform platform) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "isolation-reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    Map<String, ScoredGroup> out = new HashMap<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(Topics.SCORED_GROUPS));
      long quietSince = System.nanoTime();
      while (System.nanoTime() - quietSince < 5_000_000_000L) {
        var records = c.poll(Duration.ofMillis(500));
        for (ConsumerRecord<String, byte[]> r : records) {
          try {
            out.put(
                r.partition() + "@" + r.offset(),
                Json.decode(r.topic(), r.value(), ScoredGroup.class));
          } catch (PoisonMessageException | ContractViolationException e) {
            // the poison this test sent
          }
        }
        if (!records.isEmpty()) {
          quietSince = System.nanoTime();
        }
      }
    }
    return out;
  }

  private static Set<String> completions(List<ScoredGroup> scored, String job) {
    return scored.stream()
        .filter(s -> s.jobId().equals(job))
        .flatMap(s -> s.group().completions().stream())
        .map(c -> c.completionId())
        .collect(Collectors.toSet());
  }

  /** The service's {@code r1.dead.letters} count for a topic, read from its prometheus page. */
  private static double deadLetters(LocalPlatform platform, String baseUrl, String topic)
      throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create(baseUrl + "/actuator/prometheus"))
                    .header("Authorization", "Bearer " + platform.actuatorToken())
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    double sum = 0;
    for (String line : r.body().split("\n")) {
      if (line.startsWith("r1_dead_letters_total{") && line.contains("topic=\"" + topic + "\"")) {
        sum += Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
      }
    }
    return sum;
  }
}
