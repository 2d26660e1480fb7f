package dev.r1.reward.service.messaging;

import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.SampledGroup;
import dev.r1.contracts.ScoredGroup;
import dev.r1.reward.service.RewardServiceProperties;
import dev.r1.reward.service.scoring.GroupScorer;
import dev.r1.reward.service.scoring.RewardMetrics;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.MessageListener;
import org.springframework.stereotype.Component;

/**
 * Scores one sampled-group record and publishes the scored group under the group's key (so it lands
 * in the same partition number of the scored-group topic). Undecodable or invalid records throw
 * {@code PoisonMessageException}; the container's error handler dead-letters them.
 */
@Component
class SampledGroupListener implements MessageListener<String, byte[]> {

  private static final Logger log = LoggerFactory.getLogger(SampledGroupListener.class);

  private final GroupScorer scorer;
  private final Publisher publisher;
  private final RewardMetrics metrics;
  private final String scoredTopic;

  SampledGroupListener(
      GroupScorer scorer,
      Publisher publisher,
      RewardMetrics metrics,
      RewardServiceProperties props) {
    this.scorer = scorer;
    this.publisher = publisher;
    this.metrics = metrics;
    this.scoredTopic = props.topics().scoredGroups();
  }

  @Override
  public void onMessage(ConsumerRecord<String, byte[]> record) {
    SampledGroup group = Json.decode(record.topic(), record.value(), SampledGroup.class);
    String key = Keys.of(group);
    if (!key.equals(record.key())) {
      log.warn(
          "Sampled group {} of job {} at {}-{}@{} has key '{}' instead of '{}'; the scored group"
              + " uses '{}'.",
          group.groupId(),
          group.jobId(),
          record.topic(),
          record.partition(),
          record.offset(),
          record.key(),
          key,
          key);
    }
    ScoredGroup scored = scorer.score(group);
    publisher.send(scoredTopic, Keys.of(scored), scored);
    metrics.groupScored(scored.scores().size());
    log.info(
        "Scored group {} of job {} (step {}, policy version {}, {} completions, totals {}) from"
            + " {}-{}@{} in {} ms.",
        group.groupId(),
        group.jobId(),
        group.task().step(),
        group.policyVersion(),
        scored.scores().size(),
        java.util.Arrays.toString(scored.totals()),
        record.topic(),
        record.partition(),
        record.offset(),
        scored.scoringMillis());
  }
}
