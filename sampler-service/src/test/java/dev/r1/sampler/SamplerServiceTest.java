package dev.r1.sampler;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import dev.r1.contracts.Completion;
import dev.r1.contracts.DeadLetter;
import dev.r1.contracts.FinishReason;
import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.PolicyFormat;
import dev.r1.contracts.PolicyPublished;
import dev.r1.contracts.PromptTask;
import dev.r1.contracts.SampledGroup;
import dev.r1.contracts.Topics;
import dev.r1.model.tokenizer.ChatMessage;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.sampler.policy.PolicyLease;
import dev.r1.sampler.policy.PolicyRegistry;
import io.micrometer.core.instrument.MeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.kafka.test.EmbeddedKafkaBroker;
import org.springframework.kafka.test.context.EmbeddedKafka;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;

@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
@EmbeddedKafka(
    partitions = 4,
    topics = {
      Topics.PROMPTS,
      Topics.PROMPTS_DLT,
      Topics.SAMPLED_GROUPS,
      Topics.POLICY_PUBLISHED,
      Topics.POLICY_PUBLISHED_DLT
    },
    bootstrapServersProperty = "spring.kafka.bootstrap-servers")
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SamplerServiceTest {

  static final Path ROOT = TestModels.tempDir("sampler-test-");
  static final Path BASE = ROOT.resolve("base");

  @DynamicPropertySource
  static void props(DynamicPropertyRegistry r) throws Exception {
    TestModels.write(BASE, 1);
    r.add("r1.sampler.base-model-dir", BASE::toString);
    r.add("r1.sampler.instance-id", () -> "sampler-a");
    r.add("r1.sampler.cache-dir", () -> ROOT.resolve("cache").toString());
    r.add("r1.sampler.create-topics", () -> "false");
    r.add("r1.sampler.keep-versions", () -> "2");
    r.add("r1.sampler.version-wait", () -> "5s");
    r.add("r1.sampler.policy-service-url", () -> "");
  }

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired PolicyRegistry registry;
  @Autowired MeterRegistry meters;

  @Value("${local.server.port}")
  int port;

  TopicCollector groups;
  TopicCollector deadPrompts;
  TopicCollector deadPolicies;
  KafkaProducer<String, byte[]> producer;

  @BeforeAll
  void start() {
    groups = new TopicCollector(broker, Topics.SAMPLED_GROUPS);
    deadPrompts = new TopicCollector(broker, Topics.PROMPTS_DLT);
    deadPolicies = new TopicCollector(broker, Topics.POLICY_PUBLISHED_DLT);
    producer = Tasks.producer(broker);
  }

  @AfterAll
  void stop() throws Exception {
    producer.close();
    groups.close();
    deadPrompts.close();
    deadPolicies.close();
  }

  @Test
  void reportsHealthUpOverHttp() throws Exception {
    HttpResponse<String> r =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/actuator/health"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.body()).contains("\"status\":\"UP\"");

    for (String closed : new String[] {"/actuator/prometheus", "/actuator/info", "/actuator"}) {
      assertThat(
              HttpClient.newHttpClient()
                  .send(
                      HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + closed))
                          .build(),
                      HttpResponse.BodyHandlers.ofString())
                  .statusCode())
          .as("%s without the actuator token", closed)
          .isEqualTo(401);
    }
  }

  @Test
  void samplesGCompletionsPerPromptWithTheBaseModelsLogprobs() throws Exception {
    String job = "job-basic";
    List<PromptTask> sent = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      sent.add(Tasks.text(job, "p" + i, "What is " + i + " + 2?", 3, 6, null));
    }
    sent.add(Tasks.chat(job, "c0", "Count to three.", 3, 6));
    sent.add(Tasks.chat(job, "c1", "Name a prime.", 3, 6));
    for (PromptTask t : sent) {
      Tasks.send(producer, Topics.PROMPTS, t);
    }
    Map<String, ConsumerRecord<String, byte[]>> byGroup = awaitGroups(job, sent.size());
    assertThat(byGroup).hasSize(5);

    try (Tokenizer tokenizer = Tokenizer.load(BASE)) {
      for (PromptTask t : sent) {
        ConsumerRecord<String, byte[]> r = byGroup.get(t.resolvedGroupId());
        SampledGroup g = Json.decode(r.topic(), r.value(), SampledGroup.class);
        assertThat(r.key()).isEqualTo(Keys.of(t));
        assertThat(g.task()).isEqualTo(t);
        assertThat(g.policyVersion()).isZero();
        assertThat(g.samplerInstance()).isEqualTo("sampler-a");
        assertThat(g.completions()).hasSize(3);
        List<ChatMessage> turns =
            t.messages() != null
                ? t.messages().stream().map(m -> new ChatMessage(m.role(), m.content())).toList()
                : List.of(ChatMessage.user(t.prompt()));
        int[] expectedPrompt = tokenizer.encode(tokenizer.applyChatTemplate(turns, true));
        assertThat(g.promptTokenIds()).containsExactly(expectedPrompt);
        for (Completion c : g.completions()) {
          assertThat(c.length()).isBetween(1, 6);
          for (float lp : c.behaviourLogprobs()) {
            assertThat(lp).isFinite().isLessThanOrEqualTo(0f);
          }
          int last = c.tokenIds()[c.length() - 1];
          boolean stopped = last == 3 || last == 1;
          assertThat(c.finishReason()).isEqualTo(stopped ? FinishReason.STOP : FinishReason.LENGTH);
          if (!stopped) {
            assertThat(c.length()).isEqualTo(6);
          }
          assertThat(c.text()).isEqualTo(tokenizer.decode(c.tokenIds(), true));
        }
        // behaviour log-probs are what a teacher-forced pass of the base model computes
        Completion first = g.completions().get(0);
        float[] expected =
            TestModels.teacherForced(BASE, g.promptTokenIds(), first.tokenIds(), 1.0);
        float[] actual = first.behaviourLogprobs();
        for (int i = 0; i < expected.length; i++) {
          assertThat(actual[i]).isCloseTo(expected[i], within(2e-3f));
        }
      }
    }
    assertThat(meters.get("r1.sampler.tokens").counter().count()).isGreaterThanOrEqualTo(15);
    assertThat(meters.get("r1.sampler.generation").timer().count()).isPositive();
    assertThat(meters.get("r1.sampler.batch.occupancy").summary().max())
        .isBetween(1.0 / 64, 5.0 / 64); // 5 tasks, max-batch-prompts 64
    assertThat(meters.get("r1.sampler.tokens.per.second").gauge().value()).isPositive();
  }

  @Test
  void sendsPoisonPromptsToTheDeadLetterTopicAndGoesOn() throws Exception {
    String job = "job-poison";
    producer
        .send(
            new ProducerRecord<>(
                Topics.PROMPTS, job + ":bad1", "not json".getBytes(StandardCharsets.UTF_8)))
        .get();
    String missingParams =
        "{\"schemaVersion\":1,\"jobId\":\"job-poison\",\"promptId\":\"bad2\",\"step\":0,"
            + "\"epoch\":0,\"datasetRow\":0,\"prompt\":\"hi\",\"metadata\":{}}";
    producer
        .send(
            new ProducerRecord<>(
                Topics.PROMPTS, job + ":bad2", missingParams.getBytes(StandardCharsets.UTF_8)))
        .get();
    PromptTask good = Tasks.text(job, "good", "Still here?", 2, 4, null);
    Tasks.send(producer, Topics.PROMPTS, good);

    List<ConsumerRecord<String, byte[]>> dead =
        deadPrompts.await(r -> r.key().startsWith(job + ":"), 2, Duration.ofSeconds(60));
    Map<String, DeadLetter> byKey = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : dead) {
      byKey.put(r.key(), Json.decode(r.topic(), r.value(), DeadLetter.class));
    }
    assertThat(byKey.get(job + ":bad1").field()).isEqualTo("$");
    assertThat(byKey.get(job + ":bad1").payloadText()).isEqualTo("not json");
    assertThat(byKey.get(job + ":bad2").field()).isEqualTo("samplingParams");
    assertThat(byKey.get(job + ":bad2").jobId()).isEqualTo(job);
    assertThat(byKey.values())
        .allSatisfy(
            d -> {
              assertThat(d.originalTopic()).isEqualTo(Topics.PROMPTS);
              assertThat(d.consumerGroup()).isEqualTo("r1-sampler");
            });
    assertThat(awaitGroups(job, 1)).containsKey("good");
    assertThat(
            meters
                .get("r1.dead.letters")
                .tag("topic", Topics.PROMPTS)
                .tag("reason", "poison")
                .counter()
                .count())
        .isGreaterThanOrEqualTo(2);
  }

  @Test
  void hotSwapsPublishedVersionsWithoutLosingPromptsAndRecordsTheVersionUsed() throws Exception {
    String job = "job-swap";
    Path v1 = TestModels.write(ROOT.resolve("v1"), 11);
    Path v2 = TestModels.write(ROOT.resolve("v2"), 22);
    Path v3 = TestModels.write(ROOT.resolve("v3"), 33);
    try (FilePolicyServer server = new FilePolicyServer()) {
      server.serve(job, 1, v1);
      server.serve(job, 2, v2);
      server.serve(job, 3, v3);
      publish(server, job, 1, FilePolicyServer.sha256(v1.resolve("model.safetensors")));
      awaitLoaded(job, List.of(1L));

      // prompts flow while version 2 is published
      List<PromptTask> sent = new ArrayList<>();
      Map<String, Boolean> sentAfterSwap = new HashMap<>();
      for (int i = 0; i < 24; i++) {
        if (i == 8) {
          publish(server, job, 2, FilePolicyServer.sha256(v2.resolve("model.safetensors")));
        }
        PromptTask t = Tasks.text(job, "s" + i, "Swap " + i, 2, 4, null);
        sentAfterSwap.put(t.promptId(), registry.loadedVersions(job).contains(2L));
        Tasks.send(producer, Topics.PROMPTS, t);
        sent.add(t);
        Thread.sleep(60);
      }
      Map<String, ConsumerRecord<String, byte[]>> byGroup = awaitGroups(job, sent.size());
      Thread.sleep(500); // any duplicate would arrive by now
      assertThat(groupsOf(job)).hasSize(sent.size()); // exactly one group per prompt
      Map<Long, SampledGroup> oneOfEach = new HashMap<>();
      for (PromptTask t : sent) {
        ConsumerRecord<String, byte[]> r = byGroup.get(t.resolvedGroupId());
        SampledGroup g = Json.decode(r.topic(), r.value(), SampledGroup.class);
        assertThat(g.policyVersion()).isIn(1L, 2L);
        if (sentAfterSwap.get(t.promptId())) {
          assertThat(g.policyVersion()).as(t.promptId()).isEqualTo(2L);
        }
        oneOfEach.putIfAbsent(g.policyVersion(), g);
      }
      assertThat(oneOfEach).containsKeys(1L, 2L);
      // the recorded version is the one that generated: its log-probs match that model only
      for (Map.Entry<Long, SampledGroup> e : oneOfEach.entrySet()) {
        Completion c = e.getValue().completions().get(0);
        Path own = e.getKey() == 1 ? v1 : v2;
        Path other = e.getKey() == 1 ? v2 : v1;
        float[] mine =
            TestModels.teacherForced(own, e.getValue().promptTokenIds(), c.tokenIds(), 1);
        float[] theirs =
            TestModels.teacherForced(other, e.getValue().promptTokenIds(), c.tokenIds(), 1);
        float[] actual = c.behaviourLogprobs();
        double maxOwn = 0;
        double maxOther = 0;
        for (int i = 0; i < actual.length; i++) {
          maxOwn = Math.max(maxOwn, Math.abs(actual[i] - mine[i]));
          maxOther = Math.max(maxOther, Math.abs(actual[i] - theirs[i]));
        }
        assertThat(maxOwn).isLessThan(2e-3);
        assertThat(maxOther).isGreaterThan(1e-2);
      }

      // requested versions: exact if loaded, the oldest loaded if older, the newest if newer (after
      // waiting r1.sampler.version-wait for it)
      List<PromptTask> requests =
          List.of(
              Tasks.text(job, "r1", "v1 please", 2, 3, 1L),
              Tasks.text(job, "r0", "v0 please", 2, 3, 0L),
              Tasks.text(job, "r9", "v9 please", 2, 3, 9L));
      for (PromptTask t : requests) {
        Tasks.send(producer, Topics.PROMPTS, t);
      }
      Map<String, ConsumerRecord<String, byte[]>> answered = awaitGroups(job, sent.size() + 3);
      assertThat(version(answered.get("r1"))).isEqualTo(1);
      assertThat(version(answered.get("r0"))).isEqualTo(1);
      assertThat(version(answered.get("r9"))).isEqualTo(2);

      // a version pushed out of the window stays usable while leased, then closes
      PolicyLease lease = registry.acquire(job, 1L);
      assertThat(lease.policy().version()).isEqualTo(1);
      // a prompt that asks for a version still on its way waits for it instead of sampling with 2
      Tasks.send(producer, Topics.PROMPTS, Tasks.text(job, "r3", "v3 please", 2, 3, 3L));
      publish(server, job, 3, FilePolicyServer.sha256(v3.resolve("model.safetensors")));
      awaitLoaded(job, List.of(2L, 3L));
      assertThat(version(awaitGroups(job, sent.size() + 4).get("r3"))).isEqualTo(3);
      assertThat(lease.policy().isClosed()).isFalse();
      lease.close();
      assertThat(lease.policy().isClosed()).isTrue();
      // ...and its downloaded folder goes with it, so a long job's versions do not fill the disk
      assertThat(ROOT.resolve("cache").resolve(job).resolve("v1")).doesNotExist();
      assertThat(ROOT.resolve("cache").resolve(job).resolve("v3")).isDirectory();
      assertThat(meters.get("r1.sampler.policy.version").tag("job", job).gauge().value())
          .isEqualTo(3.0);

      // a version whose bytes do not match the published hash is dead-lettered, not loaded
      server.serve(job, 4, v1);
      publish(server, job, 4, "0".repeat(64));
      List<ConsumerRecord<String, byte[]>> dead =
          deadPolicies.await(r -> job.equals(r.key()), 1, Duration.ofSeconds(60));
      DeadLetter d =
          Json.decode(Topics.POLICY_PUBLISHED_DLT, dead.get(0).value(), DeadLetter.class);
      assertThat(d.reason()).contains("sha256");
      assertThat(registry.loadedVersions(job)).containsExactly(2L, 3L);
    }
  }

  // ---- helpers ----

  private long version(ConsumerRecord<String, byte[]> r) {
    return Json.decode(r.topic(), r.value(), SampledGroup.class).policyVersion();
  }

  private void publish(FilePolicyServer server, String job, long version, String sha)
      throws Exception {
    PolicyPublished p =
        new PolicyPublished(
            PolicyPublished.SCHEMA_VERSION,
            job,
            version,
            version * 10,
            server.manifestUrl(job, version),
            sha,
            PolicyFormat.HF_DIRECTORY,
            1,
            Instant.now());
    producer.send(new ProducerRecord<>(Topics.POLICY_PUBLISHED, job, Json.encode(p))).get();
  }

  private void awaitLoaded(String job, List<Long> versions) throws InterruptedException {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (!registry.loadedVersions(job).equals(versions)) {
      if (System.nanoTime() > deadline) {
        throw new AssertionError(
            "loaded versions of " + job + " are " + registry.loadedVersions(job));
      }
      Thread.sleep(50);
    }
  }

  private List<ConsumerRecord<String, byte[]>> groupsOf(String job) {
    return groups.records.stream().filter(r -> r.key().startsWith(job + ":")).toList();
  }

  private Map<String, ConsumerRecord<String, byte[]>> awaitGroups(String job, int count)
      throws InterruptedException {
    List<ConsumerRecord<String, byte[]>> hits =
        groups.await(r -> r.key().startsWith(job + ":"), count, Duration.ofSeconds(90));
    Map<String, ConsumerRecord<String, byte[]>> byGroup = new HashMap<>();
    for (ConsumerRecord<String, byte[]> r : hits) {
      byGroup.put(r.key().substring(job.length() + 1), r);
    }
    return byGroup;
  }
}
