package dev.r1.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.contracts.GroupRef;
import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.JobSubmitted;
import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.Topics;
import dev.r1.contracts.TrainingBatch;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelConfig;
import dev.r1.model.tokenizer.ChatTemplate;
import dev.r1.model.tokenizer.TinyTokenizerFactory;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.training.eval.Evaluator;
import dev.r1.training.sft.SftConfig;
import dev.r1.training.sft.SftExample;
import dev.r1.training.sft.SftTrainer;
import dev.r1.training.task.ArithmeticTask;
import dev.r1.training.task.ChatPrompts;
import dev.r1.training.task.TaskRow;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.apache.kafka.clients.admin.Admin;
import org.apache.kafka.clients.admin.AdminClientConfig;
import org.apache.kafka.clients.admin.ListOffsetsResult;
import org.apache.kafka.clients.admin.OffsetSpec;
import org.apache.kafka.clients.consumer.ConsumerConfig;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.apache.kafka.clients.consumer.KafkaConsumer;
import org.apache.kafka.clients.consumer.OffsetAndMetadata;
import org.apache.kafka.clients.producer.KafkaProducer;
import org.apache.kafka.clients.producer.ProducerConfig;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.apache.kafka.common.TopicPartition;
import org.apache.kafka.common.serialization.ByteArrayDeserializer;
import org.apache.kafka.common.serialization.ByteArraySerializer;
import org.apache.kafka.common.serialization.StringDeserializer;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The GRPO loop across services on a real broker: a tiny model is taught the output format by a
 * short SFT on the arithmetic task, then a GRPO job runs through the trainer, sampler, reward and
 * policy services over Kafka. Held-out accuracy must rise by at least 15 points and mean reward
 * must rise; every trained group traces to its prompt and policy version; no group is trained
 * twice; no message is left unconsumed.
 */
class GrpoOverKafkaEndToEndTest {

  static final int DIGITS = 2;
  static final long TASK_SEED = 7;
  static final int SFT_STEPS = Integer.getInteger("r1.e2e.sftSteps", 400);
  static final int GRPO_STEPS = Integer.getInteger("r1.e2e.grpoSteps", 150);
  static final int PROMPTS = 16;
  static final int GROUP = 8;
  static final int MAX_NEW = 40;

  @TempDir Path dir;

  @Test
  void grpoOverKafkaRaisesHeldOutAccuracyAndTracesEveryGroup() throws Exception {
    ArithmeticTask task =
        new ArithmeticTask(DIGITS, EnumSet.allOf(ArithmeticTask.Op.class), 10, TASK_SEED);
    List<TaskRow> heldOut = task.heldOut(100);
    // no system turn: the tiny model's tokens are bytes, and it halves the sequence length
    ChatPrompts prompts = new ChatPrompts(ChatTemplate.chatMl(), null);
    Path base = dir.resolve("tiny-arith");
    double accuracyBefore = coldStart(task, prompts, heldOut, base);

    String jobId = "e2e-" + UUID.randomUUID().toString().substring(0, 8);
    try (LocalPlatform platform =
        LocalPlatform.start(new LocalPlatform.Options(dir.resolve("platform"), null, 1))) {
      platform.installBaseModel("tiny-arith", base);
      submit(platform, jobId);
      JsonNode status = awaitDone(platform, jobId, Duration.ofMinutes(20));
      assertThat(status.get("state").asText()).as(status.toString()).isEqualTo("succeeded");

      // held-out accuracy of the final policy, evaluated exactly as before training
      long finalVersion = status.get("policyVersion").asLong();
      Path finalDir = platform.store().versionFile(jobId, finalVersion, "config.json").getParent();
      double accuracyAfter;
      try (Tokenizer tok = Tokenizer.load(finalDir);
          NDManager root = NDManager.newBaseManager();
          CausalLm model = CausalLm.load(finalDir, root, DataType.FLOAT32)) {
        accuracyAfter =
            new Evaluator(model, tok, prompts)
                .evaluate(root, heldOut, Evaluator.Options.greedy(MAX_NEW))
                .passAt1();
      }
      System.out.printf(
          "End-to-end GRPO over Kafka: held-out accuracy %.3f -> %.3f after %d steps%n",
          accuracyBefore, accuracyAfter, GRPO_STEPS);
      assertThat(accuracyAfter - accuracyBefore)
          .as("held-out accuracy %.3f -> %.3f", accuracyBefore, accuracyAfter)
          .isGreaterThanOrEqualTo(0.15);

      // mean reward rises: the last quarter of steps against the first quarter
      List<Double> rewards = stepRewards(platform, jobId);
      assertThat(rewards).hasSize(GRPO_STEPS);
      int q = GRPO_STEPS / 4;
      double first = rewards.subList(0, q).stream().mapToDouble(d -> d).average().orElseThrow();
      double last =
          rewards.subList(GRPO_STEPS - q, GRPO_STEPS).stream()
              .mapToDouble(d -> d)
              .average()
              .orElseThrow();
      assertThat(last)
          .as("reward mean first quarter %.3f, last %.3f", first, last)
          .isGreaterThan(first);

      // every trained group traces to its prompt and policy version, and none is trained twice
      List<TrainingBatch> batches =
          read(platform, Topics.TRAINING_BATCHES, TrainingBatch.class).stream()
              .filter(b -> b.jobId().equals(jobId))
              .toList();
      assertThat(batches).hasSize(GRPO_STEPS);
      Set<String> groupIds = new HashSet<>();
      for (TrainingBatch b : batches) {
        assertThat(b.groups()).hasSize(PROMPTS);
        for (GroupRef g : b.groups()) {
          assertThat(groupIds.add(g.groupId())).as("group %s trained twice", g.groupId()).isTrue();
          assertThat(g.promptId()).isNotBlank();
          assertThat(g.policyVersion()).isBetween(1L, b.trainerPolicyVersion() - 1);
          assertThat(g.completionIds()).hasSize(GROUP);
          assertThat(g.sourceOffset()).isNotNull();
        }
      }
      JsonNode trained = status.get("trainedGroups");
      assertThat(trained.size()).isEqualTo(GRPO_STEPS * PROMPTS);
      assertThat(finalVersion).isBetween(2L, GRPO_STEPS + 1L);

      // nothing left unconsumed on the topics of the loop
      assertNoLag(platform, "r1-sampler", Topics.PROMPTS);
      assertNoLag(platform, "r1-reward", Topics.SAMPLED_GROUPS);
      assertNoLag(platform, "r1-trainer", Topics.SCORED_GROUPS);
    }
  }

  /** SFT on worked solutions teaches the format; returns held-out accuracy after it. */
  private double coldStart(
      ArithmeticTask task, ChatPrompts prompts, List<TaskRow> heldOut, Path out) throws Exception {
    String cache = System.getProperty("r1.e2e.sftCache"); // a development aid: reuse a cold start
    if (cache != null && Files.isRegularFile(Path.of(cache, "config.json"))) {
      try (Stream<Path> files = Files.list(Path.of(cache))) {
        Files.createDirectories(out);
        for (Path f : files.toList()) {
          Files.copy(f, out.resolve(f.getFileName().toString()));
        }
      }
      try (Tokenizer tok = Tokenizer.load(out);
          NDManager root = NDManager.newBaseManager();
          CausalLm model = CausalLm.load(out, root, DataType.FLOAT32)) {
        return new Evaluator(model, tok, prompts)
            .evaluate(root, heldOut, Evaluator.Options.greedy(MAX_NEW))
            .passAt1();
      }
    }
    ModelConfig config =
        new ModelConfig(
            "qwen2",
            TinyTokenizerFactory.VOCAB_SIZE,
            96,
            288,
            2,
            4,
            2,
            24,
            1e-6,
            10000,
            null,
            true,
            true,
            false,
            512,
            -1,
            List.of(3),
            "float32");
    TinyTokenizerFactory.write(out);
    try (Tokenizer tok = Tokenizer.load(out);
        NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(config, 11, root, DataType.FLOAT32)) {
      List<SftExample> examples = new ArrayList<>();
      for (TaskRow r : task.train(4000)) {
        examples.add(
            SftExample.of(
                tok,
                prompts.render(r.question()),
                ArithmeticTask.solution(r, ArithmeticTask.SolutionStyle.STEPS),
                tok.eosTokenId()));
      }
      try (SftTrainer sft =
          new SftTrainer(
              model, SftConfig.of(SFT_STEPS, 3e-3, tok.padTokenId()).withBatch(32, 1), root)) {
        sft.train(examples, List.of(), m -> {});
      }
      Evaluator.Report report =
          new Evaluator(model, tok, prompts)
              .evaluate(root, heldOut, Evaluator.Options.greedy(MAX_NEW));
      System.out.println("After cold-start SFT: " + report);
      assertThat(report.formatRate()).as("format rate after SFT").isGreaterThanOrEqualTo(0.95);
      model.save(out);
      if (cache != null) {
        Files.createDirectories(Path.of(cache));
        try (Stream<Path> files = Files.list(out)) {
          for (Path f : files.toList()) {
            Files.copy(
                f,
                Path.of(cache).resolve(f.getFileName().toString()),
                java.nio.file.StandardCopyOption.REPLACE_EXISTING);
          }
        }
      }
      return report.passAt1();
    }
  }

  private static void submit(LocalPlatform platform, String jobId) throws Exception {
    Map<String, Object> reward =
        Map.of(
            "rewards",
            List.of(
                Map.of("name", "accuracy", "weight", 1.0),
                Map.of(
                    "name",
                    "format",
                    "weight",
                    0.2,
                    "params",
                    Map.of("require_answer_tags", true))));
    Map<String, Object> hyper =
        Map.ofEntries(
            Map.entry("group_size", GROUP),
            Map.entry("batch_prompts", PROMPTS),
            Map.entry("max_steps", GRPO_STEPS),
            Map.entry("learning_rate", 5e-5),
            Map.entry("warmup_steps", 20),
            Map.entry("temperature", 0.7),
            Map.entry("system_prompt", ""),
            Map.entry("max_new_tokens", MAX_NEW),
            Map.entry("max_staleness", 1),
            Map.entry("digits", DIGITS),
            Map.entry("seed", (int) TASK_SEED),
            Map.entry("micro_batch_size", 128),
            Map.entry("checkpoint_every", 10));
    JobSubmitted job =
        new JobSubmitted(
            JobSubmitted.SCHEMA_VERSION,
            jobId,
            "grpo",
            "tiny-arith",
            "builtin-arithmetic",
            "builtin:arithmetic",
            reward,
            hyper,
            "e2e-test",
            Instant.now());
    Properties p = new Properties();
    p.put(ProducerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
    try (KafkaProducer<String, byte[]> producer =
        new KafkaProducer<>(p, new StringSerializer(), new ByteArraySerializer())) {
      producer.send(new ProducerRecord<>(Topics.JOBS, Keys.of(job), Json.encode(job))).get();
    }
  }

  private static JsonNode awaitDone(LocalPlatform platform, String jobId, Duration timeout)
      throws Exception {
    HttpClient http = HttpClient.newHttpClient();
    ObjectMapper json = new ObjectMapper();
    long deadline = System.nanoTime() + timeout.toNanos();
    JsonNode last = null;
    while (System.nanoTime() < deadline) {
      HttpResponse<String> res =
          http.send(
              HttpRequest.newBuilder(
                      URI.create(platform.trainerUrl() + "/v1/trainer/jobs/" + jobId))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      if (res.statusCode() == 200) {
        last = json.readTree(res.body());
        String state = last.get("state").asText();
        if (Set.of("succeeded", "failed", "cancelled").contains(state)) {
          return last;
        }
      }
      Thread.sleep(2000);
    }
    throw new AssertionError("job " + jobId + " did not finish in " + timeout + "; last " + last);
  }

  private static List<Double> stepRewards(LocalPlatform platform, String jobId) {
    return read(platform, Topics.JOB_EVENTS, JobEvent.class).stream()
        .filter(e -> e.jobId().equals(jobId) && e.type() == JobEventType.STEP_METRICS)
        .sorted(java.util.Comparator.comparingLong(JobEvent::step))
        .map(e -> e.metrics().get("reward_mean"))
        .toList();
  }

  private static <T extends dev.r1.contracts.VersionedMessage> List<T> read(
      LocalPlatform platform, String topic, Class<T> type) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<T> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long quietSince = System.nanoTime();
      while (System.nanoTime() - quietSince < 5_000_000_000L) {
        var records = c.poll(Duration.ofMillis(500));
        for (ConsumerRecord<String, byte[]> r : records) {
          out.add(Json.decode(topic, r.value(), type));
        }
        if (!records.isEmpty()) {
          quietSince = System.nanoTime();
        }
      }
    }
    return out;
  }

  private static void assertNoLag(LocalPlatform platform, String group, String topic)
      throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, platform.bootstrapServers());
    try (Admin admin = Admin.create(p)) {
      long deadline = System.nanoTime() + 30_000_000_000L;
      long lag = -1;
      while (System.nanoTime() < deadline) {
        Map<TopicPartition, OffsetAndMetadata> committed =
            admin.listConsumerGroupOffsets(group).partitionsToOffsetAndMetadata().get();
        Map<TopicPartition, OffsetSpec> ends =
            admin
                .describeTopics(List.of(topic))
                .allTopicNames()
                .get()
                .get(topic)
                .partitions()
                .stream()
                .collect(
                    Collectors.toMap(
                        i -> new TopicPartition(topic, i.partition()), i -> OffsetSpec.latest()));
        Map<TopicPartition, ListOffsetsResult.ListOffsetsResultInfo> end =
            admin.listOffsets(ends).all().get();
        lag = 0;
        for (var e : end.entrySet()) {
          OffsetAndMetadata c = committed.get(e.getKey());
          lag += e.getValue().offset() - (c == null ? 0 : c.offset());
        }
        if (lag == 0) {
          return;
        }
        Thread.sleep(1000);
      }
      throw new AssertionError(
          "consumer group " + group + " left " + lag + " records of " + topic + " unconsumed");
    }
  }
}
