package dev.r1.reward.service;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.contracts.CompletionScore;
import dev.r1.contracts.Json;
import dev.r1.contracts.Keys;
import dev.r1.contracts.RewardComponent;
import dev.r1.contracts.RewardStatus;
import dev.r1.contracts.SampledGroup;
import dev.r1.contracts.ScoredGroup;
import dev.r1.contracts.Topics;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.apache.kafka.clients.consumer.ConsumerRecord;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.kafka.test.EmbeddedKafkaBroker;

/** Sampled groups in, scored groups out, through the real broker. */
class SampledGroupScoringTest extends ServiceTestBase {

  static final String RIGHT = "<think>\n6 times 7 is 42.\n</think>\nThe answer is \\boxed{42}.";
  static final String WRONG = "<think>\n6 times 7 is 48.\n</think>\nThe answer is \\boxed{48}.";
  static final String UNFORMATTED = "6 times 7 is 42, so the answer is \\boxed{42}.";
  static final String EQUIVALENT = "<think>\nhalf of 84\n</think>\n\\boxed{\\frac{84}{2}}";

  @Autowired EmbeddedKafkaBroker broker;

  static ScoredGroup scoredFor(EmbeddedKafkaBroker broker, String key, int nth) {
    List<ConsumerRecord<String, byte[]>> got =
        KafkaTopics.await(broker, Topics.SCORED_GROUPS, key, nth, Duration.ofSeconds(60));
    assertThat(got).as("scored groups with key " + key).hasSize(nth);
    return Json.decode(Topics.SCORED_GROUPS, got.get(nth - 1).value(), ScoredGroup.class);
  }

  static RewardComponent component(CompletionScore s, String name) {
    return s.components().stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow();
  }

  @Test
  void scoresAccuracyAndFormatWithTheDefaultSpecAndKeepsTheKey() throws Exception {
    SampledGroup group =
        Groups.of(
            "job-score",
            "g-arith",
            "What is 6 * 7?",
            "42",
            Map.of(),
            RIGHT,
            WRONG,
            UNFORMATTED,
            EQUIVALENT);
    String key = Keys.of(group);
    int sentTo = KafkaTopics.send(broker, Topics.SAMPLED_GROUPS, key, Json.encode(group));

    List<ConsumerRecord<String, byte[]>> got =
        KafkaTopics.await(broker, Topics.SCORED_GROUPS, key, 1, Duration.ofSeconds(60));
    assertThat(got).hasSize(1);
    assertThat(got.get(0).partition())
        .as("same partition number as the sampled group")
        .isEqualTo(sentTo);
    ScoredGroup scored = Json.decode(Topics.SCORED_GROUPS, got.get(0).value(), ScoredGroup.class);

    assertThat(scored.group()).isEqualTo(group);
    assertThat(scored.scorerInstance()).isEqualTo("reward-test");
    assertThat(scored.completionIds())
        .containsExactly("g-arith/0", "g-arith/1", "g-arith/2", "g-arith/3");
    for (CompletionScore s : scored.scores()) {
      assertThat(s.components())
          .extracting(RewardComponent::name)
          .containsExactly("accuracy", "format");
      assertThat(s.components())
          .allSatisfy(
              c -> {
                assertThat(c.status()).isEqualTo(RewardStatus.OK);
                assertThat(c.weight()).isEqualTo(1.0);
              });
    }
    CompletionScore right = scored.scores().get(0);
    assertThat(component(right, "accuracy").value()).isEqualTo(1.0);
    assertThat(component(right, "format").value()).isEqualTo(1.0);
    assertThat(right.total()).isEqualTo(2.0);

    CompletionScore wrong = scored.scores().get(1);
    assertThat(component(wrong, "accuracy").value()).isEqualTo(0.0);
    assertThat(component(wrong, "format").value()).isEqualTo(1.0);
    assertThat(wrong.total()).isEqualTo(1.0);

    CompletionScore unformatted = scored.scores().get(2);
    assertThat(component(unformatted, "format").value()).isEqualTo(0.0);
    assertThat(component(unformatted, "accuracy").value()).isEqualTo(1.0);
    assertThat(unformatted.total()).isEqualTo(1.0);

    CompletionScore equivalent = scored.scores().get(3);
    assertThat(component(equivalent, "accuracy").value()).as("84/2 equals 42").isEqualTo(1.0);
    assertThat(scored.totals()).containsExactly(2.0, 1.0, 1.0, 2.0);
  }

  @Test
  void usesTheTasksOwnRewardSpecWithItsWeights() throws Exception {
    Map<String, Object> spec =
        Map.of(
            "rewards",
            List.of(
                Map.of("name", "accuracy", "weight", 2.0),
                Map.of(
                    "name", "format", "weight", 0.5, "params", Map.of("require_answer_tags", true)),
                Map.of("name", "tag_count", "weight", 1.0)));
    SampledGroup group =
        Groups.of(
            "job-own-spec",
            "g-1",
            "What is 6 * 7?",
            "42",
            Map.of("reward_spec", spec),
            RIGHT,
            "<think>\nsix sevens\n</think>\n<answer>\n42\n</answer>");
    KafkaTopics.send(broker, Topics.SAMPLED_GROUPS, Keys.of(group), Json.encode(group));
    ScoredGroup scored = scoredFor(broker, Keys.of(group), 1);

    CompletionScore plain = scored.scores().get(0);
    assertThat(plain.components())
        .extracting(RewardComponent::name)
        .containsExactly("accuracy", "format", "tag_count");
    assertThat(component(plain, "accuracy").weight()).isEqualTo(2.0);
    assertThat(component(plain, "format").value()).as("no <answer> tags").isEqualTo(0.0);
    CompletionScore tagged = scored.scores().get(1);
    assertThat(component(tagged, "format").value()).isEqualTo(1.0);
    assertThat(component(tagged, "accuracy").value()).isEqualTo(1.0);
    assertThat(component(tagged, "tag_count").value()).isEqualTo(1.0);
    assertThat(tagged.total()).isEqualTo(2.0 * 1.0 + 0.5 * 1.0 + 1.0 * 1.0);
    double plainTotal = 0;
    for (RewardComponent c : plain.components()) {
      plainTotal += c.weight() * c.value();
    }
    assertThat(plain.total()).isEqualTo(plainTotal);
  }

  @Test
  void groupsOfOnePollWithDifferentSpecsAreEachScoredWithTheirOwnSpec() throws Exception {
    Map<String, Object> spec =
        Map.of(
            "rewards",
            List.of(
                Map.of("name", "accuracy", "weight", 3.0),
                Map.of("name", "tag_count", "weight", 1.0)));
    SampledGroup plain =
        Groups.of("job-mixed", "g-plain", "What is 6 * 7?", "42", Map.of(), RIGHT, WRONG);
    SampledGroup own =
        Groups.of(
            "job-mixed",
            "g-own",
            "What is 6 * 7?",
            "42",
            Map.of("reward_spec", spec),
            RIGHT,
            WRONG);
    SampledGroup other =
        Groups.of("job-mixed", "g-other", "What is 5 * 5?", "25", Map.of(), WRONG, UNFORMATTED);
    String key = Keys.of(plain);
    // one key, one producer batch: the three arrive in one poll and are scored as one batch
    KafkaTopics.sendAll(
        broker,
        Topics.SAMPLED_GROUPS,
        key,
        List.of(Json.encode(plain), Json.encode(own), Json.encode(other)));

    // each scored group goes to its own key's partition: collect the three and order them by id
    java.util.Set<String> keys = java.util.Set.of(key, Keys.of(own), Keys.of(other));
    Map<String, ScoredGroup> byId = new java.util.HashMap<>();
    KafkaTopics.await(
            broker, Topics.SCORED_GROUPS, r -> keys.contains(r.key()), 3, Duration.ofSeconds(60))
        .forEach(
            r -> {
              ScoredGroup g = Json.decode(Topics.SCORED_GROUPS, r.value(), ScoredGroup.class);
              byId.put(g.groupId(), g);
            });
    assertThat(byId).containsOnlyKeys("g-plain", "g-own", "g-other");
    List<ScoredGroup> scored = List.of(byId.get("g-plain"), byId.get("g-own"), byId.get("g-other"));
    assertThat(scored.get(0).totals()).containsExactly(2.0, 1.0);
    assertThat(scored.get(1).scores().get(0).components())
        .extracting(RewardComponent::name)
        .containsExactly("accuracy", "tag_count");
    assertThat(component(scored.get(1).scores().get(0), "accuracy").weight()).isEqualTo(3.0);
    assertThat(component(scored.get(1).scores().get(1), "accuracy").value()).isEqualTo(0.0);
    assertThat(scored.get(2).scores().get(1).components())
        .extracting(RewardComponent::name)
        .containsExactly("accuracy", "format");
    assertThat(scored.get(2).totals())
        .as("48 and an unformatted 42, scored against the group's own reference 25")
        .containsExactly(1.0, 0.0);
  }

  @Test
  void theSameGroupTwiceGetsTheSameScores() throws Exception {
    SampledGroup group =
        Groups.of(
            "job-idem", "g-twice", "What is 6 * 7?", "42", Map.of(), RIGHT, WRONG, UNFORMATTED);
    byte[] payload = Json.encode(group);
    KafkaTopics.send(broker, Topics.SAMPLED_GROUPS, Keys.of(group), payload);
    KafkaTopics.send(broker, Topics.SAMPLED_GROUPS, Keys.of(group), payload);
    List<ConsumerRecord<String, byte[]>> got =
        KafkaTopics.await(broker, Topics.SCORED_GROUPS, Keys.of(group), 2, Duration.ofSeconds(60));
    assertThat(got).hasSize(2);
    ScoredGroup a = Json.decode(Topics.SCORED_GROUPS, got.get(0).value(), ScoredGroup.class);
    ScoredGroup b = Json.decode(Topics.SCORED_GROUPS, got.get(1).value(), ScoredGroup.class);
    assertThat(b.totals()).containsExactly(a.totals());
    for (int i = 0; i < a.scores().size(); i++) {
      assertThat(b.scores().get(i).components())
          .usingRecursiveFieldByFieldElementComparatorIgnoringFields("millis")
          .containsExactlyElementsOf(a.scores().get(i).components());
    }
  }
}
