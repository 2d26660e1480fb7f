package dev.r1.reward.service;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.r1.contracts.DeadLetter;
import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.SampledGroup;
import dev.r1.contracts.ScoredGroup;
import dev.r1.contracts.Topics;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/** Poison records land in the dead-letter topic with the reason; the consumer goes on. */
class DeadLetterTest extends ServiceTestBase {

  @Autowired EmbeddedKafkaBroker broker;
  @Autowired MeterRegistry meters;

  private double deadLetters(String reason) {
    Counter c =
        meters
            .find("r1.dead.letters")
            .tags("topic", Topics.SAMPLED_GROUPS, "reason", reason)
            .counter();
    return c == null ? 0 : c.count();
  }

  private DeadLetter deadLetterFor(String key) {
    List<ConsumerRecord<String, byte[]>> got =
        KafkaTopics.await(broker, Topics.SAMPLED_GROUPS_DLT, key, 1, Duration.ofSeconds(60));
    assertThat(got).as("dead letters with key " + key).hasSize(1);
    return Json.decode(Topics.SAMPLED_GROUPS_DLT, got.get(0).value(), DeadLetter.class);
  }

  private SampledGroup good(String job, String group) {
    return Groups.of(
        job,
        group,
        "What is 6 * 7?",
        "42",
        Map.of(),
        SampledGroupScoringTest.RIGHT,
        SampledGroupScoringTest.WRONG);
  }

  @Test
  void garbageBytesAreDeadLetteredAndTheNextGroupIsScored() throws Exception {
    double before = deadLetters("undeserializable");
    byte[] garbage = {(byte) 0xff, (byte) 0xfe, 0x00, 0x42, '{', '{'};
    String key = Keys.group("job-poison", "g-garbage");
    long t0 = System.nanoTime();
    KafkaTopics.send(broker, Topics.SAMPLED_GROUPS, key, garbage);
    SampledGroup next = good("job-poison", "g-garbage");
    KafkaTopics.send(broker, Topics.SAMPLED_GROUPS, key, Json.encode(next));

    DeadLetter dl = deadLetterFor(key);
    assertThat((System.nanoTime() - t0) / 1e9).as("poison is not retried").isLessThan(15);
    assertThat(dl.originalTopic()).isEqualTo(Topics.SAMPLED_GROUPS);
    assertThat(dl.jobId()).isEqualTo("job-poison");
    assertThat(dl.key()).isEqualTo(key);
    assertThat(dl.field()).isEqualTo("$");
    assertThat(dl.reason()).containsIgnoringCase("JSON");
    assertThat(dl.payload()).isEqualTo(garbage);
    assertThat(dl.consumerGroup()).isEqualTo("r1-reward");
    assertThat(dl.exceptionClass()).endsWith("PoisonMessageException");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(deadLetters("undeserializable")).isEqualTo(before + 1));

    ScoredGroup scored = SampledGroupScoringTest.scoredFor(broker, key, 1);
    assertThat(scored.totals()).containsExactly(2.0, 1.0);
  }

  @Test
  void aContractViolationIsDeadLetteredWithTheFieldAndTheNextGroupIsScored() throws Exception {
    double before = deadLetters("contract_violation");
    SampledGroup group = good("job-contract", "g-bad-logprob");
    ObjectNode tree = (ObjectNode) Json.mapper().readTree(Json.encode(group));
    ((ArrayNode) tree.withArray("completions").get(1).withArray("behaviourLogprobs")).set(2, 0.75);
    byte[] payload = Json.mapper().writeValueAsBytes(tree);
    String key = Keys.of(group);
    KafkaTopics.send(broker, Topics.SAMPLED_GROUPS, key, payload);
    KafkaTopics.send(broker, Topics.SAMPLED_GROUPS, key, Json.encode(group));

    DeadLetter dl = deadLetterFor(key);
    assertThat(dl.field()).isEqualTo("completions[1].behaviourLogprobs[2]");
    assertThat(dl.reason()).contains("log-probability").contains("0.75");
    assertThat(dl.jobId()).isEqualTo("job-contract");
    assertThat(new String(dl.payload(), StandardCharsets.UTF_8)).contains("g-bad-logprob");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(deadLetters("contract_violation")).isEqualTo(before + 1));

    ScoredGroup scored = SampledGroupScoringTest.scoredFor(broker, key, 1);
    assertThat(scored.group()).isEqualTo(group);
  }

  @Test
  void anInvalidRewardSpecIsDeadLetteredNamingTheSpecField() throws Exception {
    double before = deadLetters("invalid_reward_spec");
    Map<String, Object> spec =
        Map.of("rewards", List.of(Map.of("name", "accuracy", "weight", "heavy")));
    SampledGroup group =
        Groups.of(
            "job-spec",
            "g-bad-spec",
            "What is 6 * 7?",
            "42",
            Map.of("reward_spec", spec),
            SampledGroupScoringTest.RIGHT);
    String key = Keys.of(group);
    long t0 = System.nanoTime();
    KafkaTopics.send(broker, Topics.SAMPLED_GROUPS, key, Json.encode(group));

    DeadLetter dl = deadLetterFor(key);
    assertThat(dl.reason())
        .startsWith("task.metadata.reward_spec.rewards[0].weight must be a number");
    assertThat(dl.exceptionClass()).endsWith("InvalidRewardSpecException");
    assertThat((System.nanoTime() - t0) / 1e9).as("not retried with back-off").isLessThan(15);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(deadLetters("invalid_reward_spec")).isEqualTo(before + 1));
    assertThat(KafkaTopics.await(broker, Topics.SCORED_GROUPS, key, 1, Duration.ofSeconds(2)))
        .as("no scored group for a dead-lettered record")
        .isEmpty();
  }

  @Test
  void aPoisonRecordInsideABatchIsDeadLetteredAndItsNeighboursAreScoredOnce() throws Exception {
    double before = deadLetters("undeserializable");
    SampledGroup first = good("job-batch", "g-first");
    String key = Keys.of(first);
    SampledGroup last = good("job-batch", "g-last");
    byte[] garbage = {'n', 'o', 't', ' ', 'j', 's', 'o', 'n'};
    // one partition (one key), one producer batch: the listener gets the three in one poll
    KafkaTopics.sendAll(
        broker,
        Topics.SAMPLED_GROUPS,
        key,
        List.of(Json.encode(first), garbage, Json.encode(last)));

    assertThat(deadLetterFor(key).payload()).isEqualTo(garbage);
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(deadLetters("undeserializable")).isEqualTo(before + 1));
    List<String> scoredIds = scoredGroupIds(key, Keys.of(last));
    assertThat(scoredIds)
        .as("each good group scored once, in order")
        .containsExactly("g-first", "g-last");
  }

  @Test
  void anInvalidSpecInsideABatchIsDeadLetteredAndItsNeighboursAreScoredOnce() throws Exception {
    double before = deadLetters("invalid_reward_spec");
    SampledGroup first = good("job-batch-spec", "g-spec-first");
    String key = Keys.of(first);
    SampledGroup bad =
        Groups.of(
            "job-batch-spec",
            "g-spec-bad",
            "What is 6 * 7?",
            "42",
            Map.of(
                "reward_spec",
                Map.of("rewards", List.of(Map.of("name", "accuracy", "weight", "heavy")))),
            SampledGroupScoringTest.RIGHT);
    SampledGroup last = good("job-batch-spec", "g-spec-last");
    // one key, one producer batch: the three arrive in one poll and are scored as one batch
    KafkaTopics.sendAll(
        broker,
        Topics.SAMPLED_GROUPS,
        key,
        List.of(Json.encode(first), Json.encode(bad), Json.encode(last)));

    DeadLetter dl = deadLetterFor(key);
    assertThat(dl.reason())
        .startsWith("task.metadata.reward_spec.rewards[0].weight must be a number");
    assertThat(new String(dl.payload(), StandardCharsets.UTF_8)).contains("g-spec-bad");
    await()
        .atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(deadLetters("invalid_reward_spec")).isEqualTo(before + 1));
    List<String> scoredIds = scoredGroupIds(key, Keys.of(last));
    assertThat(scoredIds)
        .as("each good group scored once (scored groups go to their own keys' partitions)")
        .containsExactlyInAnyOrder("g-spec-first", "g-spec-last");
  }

  /** The ids of the scored groups published under either key within 5 s (at most 3). */
  private List<String> scoredGroupIds(String key, String otherKey) {
    return KafkaTopics.await(
            broker,
            Topics.SCORED_GROUPS,
            r -> key.equals(r.key()) || otherKey.equals(r.key()),
            3,
            Duration.ofSeconds(5))
        .stream()
        .map(r -> Json.decode(Topics.SCORED_GROUPS, r.value(), ScoredGroup.class).groupId())
        .toList();
  }
}
