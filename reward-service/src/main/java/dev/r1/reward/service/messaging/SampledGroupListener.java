package dev.r1.reward.service.messaging;

import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.SampledGroup;
import dev.r1.contracts.ScoredGroup;
import dev.r1.reward.service.RewardServiceProperties;
import dev.r1.reward.service.scoring.GroupScorer;
import dev.r1.reward.service.scoring.RewardMetrics;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.kafka.listener.BatchListenerFailedException;
import org.springframework.kafka.listener.BatchMessageListener;
import org.springframework.stereotype.Component;

/**
 * Scores the sampled-group records of one poll and publishes each scored group under the group's
 * key (so it lands in the same partition number of the scored-group topic). The scored groups are
 * sent together and their acknowledgements awaited together: one broker round trip per poll rather
 * than one per group (a sampler publishes a step's groups at once). One INFO line per poll and job
 * says how many groups were scored; each group's totals are logged at DEBUG.
 *
 * <p>A record that cannot be decoded, scored or published fails the batch at its index ({@link
 * BatchListenerFailedException}): the container's error handler commits the records before it,
 * retries or dead-letters that record ({@code PoisonMessageException} and the other non-retryable
 * causes go straight to the dead-letter topic), and redelivers the rest. Groups published before a
 * failed send may be published again on redelivery; the trainer drops such duplicates.
 */
@Component
class SampledGroupListener implements BatchMessageListener<String, byte[]> {

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
  public void onMessage(List<ConsumerRecord<String, byte[]>> records) {
    long start = System.nanoTime();
    List<CompletableFuture<?>> acks = new ArrayList<>(records.size());
    Map<String, long[]> byJob = new TreeMap<>(); // job -> groups, completions, first and last step
    for (int i = 0; i < records.size(); i++) {
      ConsumerRecord<String, byte[]> record = records.get(i);
      ScoredGroup scored;
      try {
        scored = score(record);
        acks.add(publisher.sendAsync(scoredTopic, Keys.of(scored), scored));
      } catch (RuntimeException e) {
        awaitAll(records, acks); // the records before this one are done before it fails
        throw new BatchListenerFailedException(describe(record) + ": " + e.getMessage(), e, i);
      }
      metrics.groupScored(scored.scores().size());
      long step = scored.group().task().step();
      long[] s = byJob.computeIfAbsent(scored.jobId(), k -> new long[] {0, 0, step, step});
      s[0]++;
      s[1] += scored.scores().size();
      s[2] = Math.min(s[2], step);
      s[3] = Math.max(s[3], step);
    }
    awaitAll(records, acks);
    long millis = (System.nanoTime() - start) / 1_000_000;
    byJob.forEach(
        (job, s) ->
            log.info(
                "Scored and published {} group(s) ({} completions) of job {} from steps {} to {} in"
                    + " {} ms.",
                s[0],
                s[1],
                job,
                s[2],
                s[3],
                millis));
  }

  private ScoredGroup score(ConsumerRecord<String, byte[]> record) {
    SampledGroup group = Json.decode(record.topic(), record.value(), SampledGroup.class);
    String key = Keys.of(group);
    if (!key.equals(record.key())) {
      log.warn(
          "Sampled group {} of job {} at {} has key '{}' instead of '{}'; the scored group"
              + " uses '{}'.",
          group.groupId(),
          group.jobId(),
          describe(record),
          record.key(),
          key,
          key);
    }
    ScoredGroup scored = scorer.score(group);
    log.debug(
        "Scored group {} of job {} (step {}, policy version {}, {} completions, totals {}) from"
            + " {} in {} ms.",
        group.groupId(),
        group.jobId(),
        group.task().step(),
        group.policyVersion(),
        scored.scores().size(),
        java.util.Arrays.toString(scored.totals()),
        describe(record),
        scored.scoringMillis());
    return scored;
  }

  /** Waits for every send; the first that failed fails the batch at its record. */
  private static void awaitAll(
      List<ConsumerRecord<String, byte[]>> records, List<CompletableFuture<?>> acks) {
    for (int i = 0; i < acks.size(); i++) {
      try {
        Publisher.await(acks.get(i), Publisher.SCORED_GROUPS);
      } catch (RuntimeException e) {
        throw new BatchListenerFailedException(
            "publishing the scored group of " + describe(records.get(i)) + " failed", e, i);
      }
    }
  }

  private static String describe(ConsumerRecord<?, ?> record) {
    return record.topic() + "-" + record.partition() + "@" + record.offset();
  }
}
