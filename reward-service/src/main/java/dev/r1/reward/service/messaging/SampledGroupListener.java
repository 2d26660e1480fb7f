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
 * <p>The groups of a poll are scored as one batch ({@link GroupScorer#score(List)}): the reward
 * workers score a step's completions in parallel, where scoring group after group kept the trainer
 * waiting about 1.3 ms a group (45-58 ms a step at the tiny config).
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
    // decode and resolve every record up to the first that cannot be, score those together, then
    // fail the batch at that record
    List<GroupScorer.Prepared> prepared = new ArrayList<>(records.size());
    RuntimeException failure = null;
    for (ConsumerRecord<String, byte[]> record : records) {
      try {
        prepared.add(prepare(record));
      } catch (RuntimeException e) {
        failure = e;
        break;
      }
    }
    int failedAt = prepared.size();
    List<ScoredGroup> scored;
    try {
      scored = scorer.score(prepared);
    } catch (RuntimeException e) {
      // a spec that does not parse fails the whole call: score one group at a time to find it
      scored = new ArrayList<>(prepared.size());
      for (GroupScorer.Prepared p : prepared) {
        try {
          scored.add(scorer.score(List.of(p)).get(0));
        } catch (RuntimeException single) {
          failure = single;
          failedAt = scored.size();
          break;
        }
      }
    }
    List<CompletableFuture<?>> acks = new ArrayList<>(scored.size());
    Map<String, long[]> byJob = new TreeMap<>(); // job -> groups, completions, first and last step
    for (int i = 0; i < scored.size(); i++) {
      ScoredGroup group = scored.get(i);
      try {
        acks.add(publisher.sendAsync(scoredTopic, Keys.of(group), group));
      } catch (RuntimeException e) {
        publisher.flush();
        awaitAll(records, acks); // the records before this one are done before it fails
        throw new BatchListenerFailedException(
            describe(records.get(i)) + ": " + e.getMessage(), e, i);
      }
      log.debug(
          "Scored group {} of job {} (step {}, policy version {}, {} completions, totals {}) from"
              + " {} in {} ms.",
          group.groupId(),
          group.jobId(),
          group.group().task().step(),
          group.group().policyVersion(),
          group.scores().size(),
          java.util.Arrays.toString(group.totals()),
          describe(records.get(i)),
          group.scoringMillis());
      metrics.groupScored(group.scores().size());
      long step = group.group().task().step();
      long[] s = byJob.computeIfAbsent(group.jobId(), k -> new long[] {0, 0, step, step});
      s[0]++;
      s[1] += group.scores().size();
      s[2] = Math.min(s[2], step);
      s[3] = Math.max(s[3], step);
    }
    publisher.flush();
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
    if (failure != null) {
      ConsumerRecord<String, byte[]> record = records.get(failedAt);
      throw new BatchListenerFailedException(
          describe(record) + ": " + failure.getMessage(), failure, failedAt);
    }
  }

  private GroupScorer.Prepared prepare(ConsumerRecord<String, byte[]> record) {
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
    return scorer.prepare(group);
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
