package dev.r1.reward.service;

import dev.r1.contracts.Topics;
import java.time.Duration;
import java.util.Map;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * Settings of the reward-service ({@code r1.reward.*}).
 *
 * @param threads reward worker threads per distinct reward spec (each spec gets its own runner)
 * @param defaultTimeout bound of one reward function call when the spec gives no {@code timeout_ms}
 * @param defaultSpec the reward spec (JSON, as {@code RewardSpec.fromJson} reads it) used for a
 *     group whose task carries no {@code reward_spec} metadata and whose job has no entry in {@code
 *     jobSpecs}: accuracy + format by default
 * @param jobSpecs per-job reward specs (job id to spec JSON), between the task's own spec and the
 *     default
 * @param maxCachedSpecs how many distinct specs keep a live runner (least recently used are closed)
 * @param consumer the Kafka consumer of sampled groups
 * @param topics the topics read and written
 * @param createTopics whether to create the topics (with the contract's partitions and configs) at
 *     startup if they are missing
 * @param instance this worker's name in {@code ScoredGroup.scorerInstance}; blank = host name
 * @param api limits of the REST scoring endpoint
 */
@ConfigurationProperties("r1.reward")
public record RewardServiceProperties(
    @DefaultValue("4") int threads,
    @DefaultValue("10s") Duration defaultTimeout,
    @DefaultValue(DEFAULT_SPEC) String defaultSpec,
    Map<String, String> jobSpecs,
    @DefaultValue("64") int maxCachedSpecs,
    @DefaultValue Consumer consumer,
    @DefaultValue TopicNames topics,
    @DefaultValue("true") boolean createTopics,
    @DefaultValue("") String instance,
    @DefaultValue Api api) {

  /** Accuracy (weight 1) and format (weight 1): the R1-Zero rule rewards. */
  public static final String DEFAULT_SPEC =
      "{\"rewards\":[{\"name\":\"accuracy\",\"weight\":1.0},{\"name\":\"format\",\"weight\":1.0}]}";

  public RewardServiceProperties {
    if (threads < 1) {
      throw new IllegalArgumentException("r1.reward.threads must be >= 1, got " + threads);
    }
    if (defaultTimeout == null || defaultTimeout.isZero() || defaultTimeout.isNegative()) {
      throw new IllegalArgumentException(
          "r1.reward.default-timeout must be positive, got " + defaultTimeout);
    }
    if (maxCachedSpecs < 1) {
      throw new IllegalArgumentException(
          "r1.reward.max-cached-specs must be >= 1, got " + maxCachedSpecs);
    }
    jobSpecs = jobSpecs == null ? Map.of() : Map.copyOf(jobSpecs);
  }

  /**
   * The sampled-group consumer.
   *
   * @param groupId Kafka consumer group
   * @param concurrency consumer threads in this instance (at most the topic's partitions help)
   * @param maxPollRecords records per poll, scored one by one and published together (a group can
   *     take seconds to score: keep the batch within max-poll-interval)
   * @param maxPollInterval Kafka's {@code max.poll.interval.ms}: longest time between polls
   * @param retryBackoff first wait before retrying a failed publish (doubles each time)
   * @param retryAttempts retries of a failed publish before the group is dead-lettered
   */
  public record Consumer(
      @DefaultValue("r1-reward") String groupId,
      @DefaultValue("2") int concurrency,
      @DefaultValue("32") int maxPollRecords,
      @DefaultValue("10m") Duration maxPollInterval,
      @DefaultValue("500ms") Duration retryBackoff,
      @DefaultValue("4") int retryAttempts) {
    public Consumer {
      if (concurrency < 1) {
        throw new IllegalArgumentException(
            "r1.reward.consumer.concurrency must be >= 1, got " + concurrency);
      }
      if (maxPollRecords < 1) {
        throw new IllegalArgumentException(
            "r1.reward.consumer.max-poll-records must be >= 1, got " + maxPollRecords);
      }
      if (retryAttempts < 0) {
        throw new IllegalArgumentException(
            "r1.reward.consumer.retry-attempts must be >= 0, got " + retryAttempts);
      }
    }
  }

  /**
   * Topic names (the contract's by default).
   *
   * @param sampledGroups read: sampled groups
   * @param scoredGroups written: scored groups
   * @param deadLetters written: dead letters of the sampled-group topic
   */
  public record TopicNames(
      @DefaultValue(Topics.SAMPLED_GROUPS) String sampledGroups,
      @DefaultValue(Topics.SCORED_GROUPS) String scoredGroups,
      @DefaultValue(Topics.SAMPLED_GROUPS_DLT) String deadLetters) {}

  /**
   * Limits of {@code POST /v1/rewards/score}.
   *
   * @param maxRequestSize largest request body; larger ones get 413
   * @param maxItems most items in one request; more get 413
   */
  public record Api(
      @DefaultValue("8MB") DataSize maxRequestSize, @DefaultValue("1024") int maxItems) {}
}
