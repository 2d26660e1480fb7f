package dev.r1.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.contracts.JobEvent;
import dev.r1.contracts.JobEventType;
import dev.r1.contracts.JobSubmitted;
import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.Topics;
import dev.r1.model.CausalLm;
import dev.r1.model.ModelConfig;
import dev.r1.model.tokenizer.TinyTokenizerFactory;
import dev.r1.model.tokenizer.Tokenizer;
import dev.r1.training.eval.Evaluator;
import dev.r1.training.recipe.TinyArithmeticRecipe;
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

/**
 * Shared steps of the platform tests and benchmarks: cold start, job submission, reading topics.
 */
final class PlatformFixtures {

  static final int DIGITS = 2;
  static final long TASK_SEED = 7;
  static final int SFT_STEPS = Integer.getInteger("r1.e2e.sftSteps", 400);
  static final int PROMPTS = TinyArithmeticRecipe.PROMPTS_PER_STEP;
  static final int GROUP = 8;
  static final int MAX_NEW = 40;

  private PlatformFixtures() {}

  static ArithmeticTask task() {
    return TinyArithmeticRecipe.task(TASK_SEED);
  }

  static Map<String, Object> rewardSpec() {
    return TinyArithmeticRecipe.rewardSpec();
  }

  static ChatPrompts prompts() {
    return TinyArithmeticRecipe.prompts();
  }

  /** SFT on worked solutions teaches the format; returns held-out accuracy after it. */
  static double coldStart(ArithmeticTask task, ChatPrompts prompts, List<TaskRow> heldOut, Path out)
      throws Exception {
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
    ModelConfig config = TinyArithmeticRecipe.modelConfig();
    TinyTokenizerFactory.write(out);
    try (Tokenizer tok = Tokenizer.load(out);
        NDManager root = NDManager.newBaseManager();
        CausalLm model = CausalLm.random(config, 11, root, DataType.FLOAT32)) {
      List<SftExample> examples = TinyArithmeticRecipe.coldStartExamples(tok, task.train(4000));
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

  static void submit(LocalPlatform platform, String jobId, int steps, Map<String, Object> overrides)
      throws Exception {
    Map<String, Object> reward = rewardSpec();
    Map<String, Object> hyper =
        Map.ofEntries(
            Map.entry("group_size", GROUP),
            Map.entry("batch_prompts", PROMPTS),
            Map.entry("max_steps", steps),
            Map.entry("learning_rate", TinyArithmeticRecipe.GRPO_LEARNING_RATE),
            Map.entry("warmup_steps", TinyArithmeticRecipe.WARMUP_STEPS),
            Map.entry("temperature", TinyArithmeticRecipe.TEMPERATURE),
            Map.entry("system_prompt", ""),
            Map.entry("max_new_tokens", MAX_NEW),
            Map.entry("max_staleness", 0),
            Map.entry("digits", DIGITS),
            Map.entry("seed", (int) TASK_SEED),
            Map.entry("micro_batch_size", 128),
            Map.entry("checkpoint_every", 10));
    Map<String, Object> merged = new java.util.LinkedHashMap<>(hyper);
    merged.putAll(overrides);
    hyper = merged;
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

  static JsonNode awaitDone(LocalPlatform platform, String jobId, Duration timeout)
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

  static List<Double> stepRewards(LocalPlatform platform, String jobId) {
    return read(platform, Topics.JOB_EVENTS, JobEvent.class).stream()
        .filter(e -> e.jobId().equals(jobId) && e.type() == JobEventType.STEP_METRICS)
        .sorted(java.util.Comparator.comparingLong(JobEvent::step))
        .map(e -> e.metrics().get("reward_mean"))
        .toList();
  }

  static <T extends dev.r1.contracts.VersionedMessage> List<T> read(
      LocalPlatform platform, String topic, Class<T> type) {
    return read(platform, topic, type, false);
  }

  /**
   * Every record of {@code topic}; with {@code skipPoison}, those that do not decode are left out.
   */
  static <T extends dev.r1.contracts.VersionedMessage> List<T> read(
      LocalPlatform platform, String topic, Class<T> type, boolean skipPoison) {
    return read(platform.bootstrapServers(), topic, type, skipPoison);
  }

  /** Every record of {@code topic} on the broker at {@code bootstrap}. */
  static <T extends dev.r1.contracts.VersionedMessage> List<T> read(
      String bootstrap, String topic, Class<T> type, boolean skipPoison) {
    List<T> out = new ArrayList<>();
    for (Stamped<T> s : readStamped(bootstrap, topic, type, skipPoison)) {
      out.add(s.value());
    }
    return out;
  }

  /** A decoded record with the time its producer stamped on it (epoch milliseconds). */
  record Stamped<T>(long millis, T value) {}

  /** Every record of {@code topic}, with its timestamp. */
  static <T extends dev.r1.contracts.VersionedMessage> List<Stamped<T>> readStamped(
      String bootstrap, String topic, Class<T> type, boolean skipPoison) {
    Properties p = new Properties();
    p.put(ConsumerConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
    p.put(ConsumerConfig.GROUP_ID_CONFIG, "e2e-reader-" + UUID.randomUUID());
    p.put(ConsumerConfig.AUTO_OFFSET_RESET_CONFIG, "earliest");
    List<Stamped<T>> out = new ArrayList<>();
    try (KafkaConsumer<String, byte[]> c =
        new KafkaConsumer<>(p, new StringDeserializer(), new ByteArrayDeserializer())) {
      c.subscribe(List.of(topic));
      long quietSince = System.nanoTime();
      while (System.nanoTime() - quietSince < 5_000_000_000L) {
        var records = c.poll(Duration.ofMillis(500));
        for (ConsumerRecord<String, byte[]> r : records) {
          try {
            out.add(new Stamped<>(r.timestamp(), Json.decode(topic, r.value(), type)));
          } catch (dev.r1.contracts.PoisonMessageException
              | dev.r1.contracts.ContractViolationException e) {
            if (!skipPoison) {
              throw e;
            }
          }
        }
        if (!records.isEmpty()) {
          quietSince = System.nanoTime();
        }
      }
    }
    return out;
  }

  static void assertNoLag(LocalPlatform platform, String group, String topic) throws Exception {
    assertNoLag(platform.bootstrapServers(), group, topic);
  }

  static void assertNoLag(String bootstrap, String group, String topic) throws Exception {
    Properties p = new Properties();
    p.put(AdminClientConfig.BOOTSTRAP_SERVERS_CONFIG, bootstrap);
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
