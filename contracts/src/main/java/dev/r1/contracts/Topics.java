package dev.r1.contracts;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The Kafka topics of the R1 platform: names, value types, keys, recommended partitions and topic
 * configs. Every topic has a dead-letter twin named {@code <topic>.dlt} carrying {@link DeadLetter}
 * records.
 *
 * <p>The flow:
 *
 * <pre>
 * gateway --job-events--> trainer --prompts--> sampler(s) --sampled-groups--> reward(s)
 *   --scored-groups--> trainer batcher --training-batches--> trainer update
 * trainer --checkpoint--> policy-service --policy-published--> sampler(s)
 * </pre>
 *
 * <p>Naming: {@code r1.<what>.v<N>}. The {@code vN} suffix changes only when the key or
 * partitioning contract changes or a break cannot be handled by {@code schemaVersion} (consumers
 * then read both topics during the migration); ordinary record evolution happens inside a topic
 * through each record's {@code schemaVersion}. See {@code docs/topics.md}.
 *
 * <p>Sizes: group topics carry token ids and per-token float log-probs. JSON costs about 6 bytes
 * per token id and 11 per log-prob, plus about 4 bytes of text per token, so a group of G=16
 * completions of 8,192 tokens is about 2.8 MiB uncompressed ({@code TopicsTest} measures it);
 * {@link #GROUP_MAX_MESSAGE_BYTES} leaves headroom for 16 x 32k tokens after lz4 (about 1.7x on
 * this data). Producers must raise {@code max.request.size} and consumers {@code
 * max.partition.fetch.bytes} to match: use {@link #producerConfigs(String)} and {@link
 * #consumerConfigs(String)}.
 */
public final class Topics {

  private Topics() {}

  /** Suffix of every dead-letter topic. */
  public static final String DLT_SUFFIX = ".dlt";

  /** Topic config key for the maximum record batch size (Kafka's {@code max.message.bytes}). */
  public static final String MAX_MESSAGE_BYTES_CONFIG = "max.message.bytes";

  /** Topic config key for the compression codec (Kafka's {@code compression.type}). */
  public static final String COMPRESSION_TYPE_CONFIG = "compression.type";

  /** Topic config key for the retention time (Kafka's {@code retention.ms}). */
  public static final String RETENTION_MS_CONFIG = "retention.ms";

  /** Topic config key for the cleanup policy (Kafka's {@code cleanup.policy}). */
  public static final String CLEANUP_POLICY_CONFIG = "cleanup.policy";

  /** Max message bytes of the topics that carry completions: 16 MiB. */
  public static final int GROUP_MAX_MESSAGE_BYTES = 16 * 1024 * 1024;

  /** Max message bytes of the small-message topics: 2 MiB. */
  public static final int SMALL_MAX_MESSAGE_BYTES = 2 * 1024 * 1024;

  /**
   * Recommended partitions of the group-scoped topics: the most sampler/reward consumers that help.
   */
  public static final int GROUP_PARTITIONS = 12;

  private static final long HOUR_MS = 3_600_000L;
  private static final long DAY_MS = 24 * HOUR_MS;

  /**
   * Prompt tasks to sample.
   *
   * <ul>
   *   <li>Value: {@link PromptTask}. Key: {@code jobId:groupId} ({@link Keys#of(PromptTask)}).
   *   <li>Produced by: trainer-service (ahead of need, within the staleness bound); distill-service
   *       (rejection sampling, evaluation).
   *   <li>Consumed by: sampler-service (consumer group {@code r1-sampler}); each instance takes
   *       whole partitions, so a group is sampled by one instance.
   *   <li>Partitions: {@value #GROUP_PARTITIONS}. Compression: lz4. Retention: 1 day (a prompt
   *       older than that is stale for any staleness bound). Max message: 2 MiB.
   * </ul>
   */
  public static final String PROMPTS = "r1.prompts.v1";

  /**
   * Groups of G completions with behaviour log-probs and policy version.
   *
   * <ul>
   *   <li>Value: {@link SampledGroup}. Key: {@code jobId:groupId} ({@link Keys#of(SampledGroup)}).
   *   <li>Produced by: sampler-service. Consumed by: reward-service (consumer group {@code
   *       r1-reward}).
   *   <li>Partitions: {@value #GROUP_PARTITIONS}. Compression: lz4 (see {@link #SCORED_GROUPS}).
   *       Retention: 1 day. Max message: 16 MiB (G=16 x 8k tokens is about 2.8 MiB before
   *       compression).
   * </ul>
   */
  public static final String SAMPLED_GROUPS = "r1.sampled-groups.v1";

  /**
   * Sampled groups with per-completion reward components and totals.
   *
   * <ul>
   *   <li>Value: {@link ScoredGroup}. Key: {@code jobId:groupId} ({@link Keys#of(ScoredGroup)}).
   *   <li>Produced by: reward-service. Consumed by: trainer-service batcher (consumer group {@code
   *       r1-trainer}), distill-service (consumer group {@code r1-distill}, its own jobs).
   *   <li>Partitions: {@value #GROUP_PARTITIONS}. Compression: lz4: a step waits on both group
   *       hops, and zstd's compression, the broker's check and the consumer's decompression cost a
   *       2-core machine 5-10 ms of CPU a hop for 32 groups (lz4 files a G=16 x 8k-token group at
   *       1.70 MB instead of zstd's 1.07 MB). Retention: 3 days (a trainer restarted from a
   *       checkpoint re-reads from the committed offsets). Max message: 16 MiB.
   * </ul>
   */
  public static final String SCORED_GROUPS = "r1.scored-groups.v1";

  /**
   * Training batches: the reference list of groups/completions one GRPO step uses.
   *
   * <ul>
   *   <li>Value: {@link TrainingBatch}. Key: {@code jobId} ({@link Keys#of(TrainingBatch)}).
   *   <li>Produced by: trainer-service batcher. Consumed by: trainer-service update loop; audit.
   *   <li>Partitions: 6. Compression: lz4. Retention: 7 days (the step-to-data audit trail). Max
   *       message: 2 MiB (1,024 groups x 16 completion ids is about 0.7 MiB).
   * </ul>
   */
  public static final String TRAINING_BATCHES = "r1.training-batches.v1";

  /**
   * New policy versions ready for download.
   *
   * <ul>
   *   <li>Value: {@link PolicyPublished}. Key: {@code jobId} ({@link Keys#of(PolicyPublished)}).
   *   <li>Produced by: policy-service. Consumed by: sampler-service (every instance, each with its
   *       own consumer group, so all samplers hot-swap), gateway.
   *   <li>Partitions: 3. Compression: lz4. Cleanup: {@code compact,delete} with 30 days retention,
   *       so a starting sampler finds the newest version of every live job. Max message: 2 MiB.
   * </ul>
   */
  public static final String POLICY_PUBLISHED = "r1.policy-published.v1";

  /**
   * Job lifecycle events, step metrics, checkpoints and messages.
   *
   * <ul>
   *   <li>Value: {@link JobEvent}. Key: {@code jobId} ({@link Keys#of(JobEvent)}).
   *   <li>Produced by: gateway (CREATED, CANCELLED, PAUSED, RESUMED on user request),
   *       trainer-service and distill-service (the rest). Consumed by: gateway (status, event
   *       stream), trainer-service and distill-service (user requests).
   *   <li>Partitions: 6. Compression: lz4. Retention: 30 days. Max message: 2 MiB.
   * </ul>
   */
  public static final String JOB_EVENTS = "r1.job-events.v1";

  /**
   * Jobs accepted by the gateway, to be run by a worker.
   *
   * <ul>
   *   <li>Value: {@link JobSubmitted}. Key: {@code jobId} ({@link Keys#of(JobSubmitted)}).
   *   <li>Produced by: gateway (after validating and storing the job). Consumed by: trainer-service
   *       (consumer group {@code r1-trainer}: grpo, pipeline) and distill-service ({@code
   *       r1-distill}: sft, distill, eval); each skips the methods it does not run.
   *   <li>Partitions: 3. Compression: lz4. Retention: 30 days. Max message: 2 MiB.
   * </ul>
   *
   * Cancel, pause and resume requests go on {@link #JOB_EVENTS} as gateway-sourced {@link
   * JobEvent}s.
   */
  public static final String JOBS = "r1.jobs.v1";

  /** Dead letters of {@link #PROMPTS}. */
  public static final String PROMPTS_DLT = PROMPTS + DLT_SUFFIX;

  /** Dead letters of {@link #SAMPLED_GROUPS}. */
  public static final String SAMPLED_GROUPS_DLT = SAMPLED_GROUPS + DLT_SUFFIX;

  /** Dead letters of {@link #SCORED_GROUPS}. */
  public static final String SCORED_GROUPS_DLT = SCORED_GROUPS + DLT_SUFFIX;

  /** Dead letters of {@link #TRAINING_BATCHES}. */
  public static final String TRAINING_BATCHES_DLT = TRAINING_BATCHES + DLT_SUFFIX;

  /** Dead letters of {@link #POLICY_PUBLISHED}. */
  public static final String POLICY_PUBLISHED_DLT = POLICY_PUBLISHED + DLT_SUFFIX;

  /** Dead letters of {@link #JOB_EVENTS}. */
  public static final String JOB_EVENTS_DLT = JOB_EVENTS + DLT_SUFFIX;

  /** Dead letters of {@link #JOBS}. */
  public static final String JOBS_DLT = JOBS + DLT_SUFFIX;

  /** The seven data topics, in flow order (the jobs topic last). */
  public static final List<TopicSpec> MAIN =
      List.of(
          spec(PROMPTS, GROUP_PARTITIONS, "lz4", DAY_MS, SMALL_MAX_MESSAGE_BYTES, PromptTask.class),
          spec(
              SAMPLED_GROUPS,
              GROUP_PARTITIONS,
              "lz4",
              DAY_MS,
              GROUP_MAX_MESSAGE_BYTES,
              SampledGroup.class),
          spec(
              SCORED_GROUPS,
              GROUP_PARTITIONS,
              "lz4",
              3 * DAY_MS,
              GROUP_MAX_MESSAGE_BYTES,
              ScoredGroup.class),
          spec(
              TRAINING_BATCHES, 6, "lz4", 7 * DAY_MS, SMALL_MAX_MESSAGE_BYTES, TrainingBatch.class),
          compacted(
              spec(
                  POLICY_PUBLISHED,
                  3,
                  "lz4",
                  30 * DAY_MS,
                  SMALL_MAX_MESSAGE_BYTES,
                  PolicyPublished.class)),
          spec(JOB_EVENTS, 6, "lz4", 30 * DAY_MS, SMALL_MAX_MESSAGE_BYTES, JobEvent.class),
          spec(JOBS, 3, "lz4", 30 * DAY_MS, SMALL_MAX_MESSAGE_BYTES, JobSubmitted.class));

  /**
   * Every topic: the seven data topics followed by their dead-letter topics. A DLT has the
   * partition count of its source (so a recoverer may keep the source partition), zstd compression,
   * 14 days retention, and room for the base64-encoded source payload (4/3 of the source limit plus
   * 1 MiB).
   */
  public static final List<TopicSpec> ALL = all();

  /** The dead-letter topic of a topic: {@code topic + ".dlt"}. */
  public static String dlt(String topic) {
    Require.nonBlank("Topics", "topic", topic);
    if (topic.endsWith(DLT_SUFFIX)) {
      throw new IllegalArgumentException(topic + " is already a dead-letter topic");
    }
    return topic + DLT_SUFFIX;
  }

  /** The spec of a topic named in {@link #ALL}, if any. */
  public static Optional<TopicSpec> spec(String topic) {
    for (TopicSpec s : ALL) {
      if (s.name().equals(topic)) {
        return Optional.of(s);
      }
    }
    return Optional.empty();
  }

  /** The value type of a topic named in {@link #ALL}, if any. */
  public static Optional<Class<? extends VersionedMessage>> valueType(String topic) {
    return spec(topic).map(TopicSpec::valueType);
  }

  /**
   * Producer overrides for writing to {@code topic}: {@code compression.type} as the topic's,
   * {@code max.request.size} = the topic's max message bytes, {@code acks=all}, idempotence on.
   * Merge them into the service's producer properties.
   */
  public static Map<String, Object> producerConfigs(String topic) {
    TopicSpec s = require(topic);
    Map<String, Object> m = new HashMap<>();
    m.put("compression.type", s.compressionType());
    m.put("max.request.size", s.maxMessageBytes());
    m.put("acks", "all");
    m.put("enable.idempotence", true);
    return Map.copyOf(m);
  }

  /**
   * Consumer overrides for reading {@code topic}: {@code max.partition.fetch.bytes} = the topic's
   * max message bytes, {@code fetch.max.bytes} twice that (at least Kafka's 50 MiB default), and
   * {@code isolation.level=read_committed} (the trainer writes batches and offsets in
   * transactions).
   */
  public static Map<String, Object> consumerConfigs(String topic) {
    TopicSpec s = require(topic);
    Map<String, Object> m = new HashMap<>();
    m.put("max.partition.fetch.bytes", s.maxMessageBytes());
    m.put("fetch.max.bytes", Math.max(52_428_800, 2 * s.maxMessageBytes()));
    m.put("isolation.level", "read_committed");
    return Map.copyOf(m);
  }

  private static TopicSpec require(String topic) {
    return spec(topic)
        .orElseThrow(() -> new IllegalArgumentException("unknown R1 topic '" + topic + "'"));
  }

  private static TopicSpec spec(
      String name,
      int partitions,
      String compression,
      long retentionMs,
      int maxMessageBytes,
      Class<? extends VersionedMessage> type) {
    Map<String, String> c = new HashMap<>();
    c.put(CLEANUP_POLICY_CONFIG, "delete");
    c.put(COMPRESSION_TYPE_CONFIG, compression);
    c.put(RETENTION_MS_CONFIG, Long.toString(retentionMs));
    c.put(MAX_MESSAGE_BYTES_CONFIG, Integer.toString(maxMessageBytes));
    return new TopicSpec(name, partitions, c, type);
  }

  private static TopicSpec compacted(TopicSpec s) {
    Map<String, String> c = new HashMap<>(s.configs());
    c.put(CLEANUP_POLICY_CONFIG, "compact,delete");
    return new TopicSpec(s.name(), s.partitions(), c, s.valueType());
  }

  private static List<TopicSpec> all() {
    List<TopicSpec> all = new ArrayList<>(MAIN);
    for (TopicSpec s : MAIN) {
      long dltBytes = (long) s.maxMessageBytes() * 4 / 3 + 1024 * 1024;
      all.add(
          spec(
              dlt(s.name()),
              s.partitions(),
              "zstd",
              14 * DAY_MS,
              (int) dltBytes,
              DeadLetter.class));
    }
    return List.copyOf(all);
  }
}
