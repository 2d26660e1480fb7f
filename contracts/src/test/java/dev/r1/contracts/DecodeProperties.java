package dev.r1.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import net.jqwik.api.Arbitraries;
import net.jqwik.api.Arbitrary;
import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.Provide;
import net.jqwik.api.constraints.Size;

/**
 * jqwik properties for {@link Json#decode}: for every message type, mutated valid messages and
 * arbitrary bytes either decode to a message that re-encodes and decodes to itself, or fail with a
 * {@link PoisonMessageException} that names a field (a JSON path, {@code $} for the whole payload)
 * and a reason. No other exception escapes, so a consumer can always dead-letter the record.
 */
class DecodeProperties {

  record Case(String topic, Class<? extends VersionedMessage> type, String json) {}

  static List<Case> cases() {
    PromptTask task = Samples.prompt("p-1", "g-1", 2);
    SampledGroup sampled = Samples.sampled(task, 3, 4);
    ScoredGroup scored = Samples.scored(sampled);
    return List.of(
        new Case(Topics.PROMPTS, PromptTask.class, Json.encodeToString(task)),
        new Case(Topics.PROMPTS, PromptTask.class, Json.encodeToString(Samples.chatPrompt())),
        new Case(Topics.SAMPLED_GROUPS, SampledGroup.class, Json.encodeToString(sampled)),
        new Case(Topics.SCORED_GROUPS, ScoredGroup.class, Json.encodeToString(scored)),
        new Case(
            Topics.TRAINING_BATCHES,
            TrainingBatch.class,
            Json.encodeToString(
                TrainingBatch.of(Samples.JOB, "b-1", 4, 3, List.of(GroupRef.of(scored))))),
        new Case(
            Topics.POLICY_PUBLISHED, PolicyPublished.class, Json.encodeToString(Samples.policy(2))),
        new Case(Topics.JOB_EVENTS, JobEvent.class, Json.encodeToString(Samples.event())),
        new Case(
            Topics.JOBS,
            JobSubmitted.class,
            Json.encodeToString(
                new JobSubmitted(
                    JobSubmitted.SCHEMA_VERSION,
                    "job-7",
                    "grpo",
                    "tiny-arith",
                    "ds-1",
                    "file:/data/ds-1.jsonl",
                    Map.of("functions", List.of(Map.of("name", "accuracy", "weight", 1.0))),
                    Map.of("group_size", 8, "loss_aggregation", "token_mean"),
                    "alice",
                    Instant.parse("2026-01-02T03:04:05Z")))));
  }

  @Provide
  Arbitrary<Object[]> mutated() {
    return Arbitraries.of(cases())
        .flatMap(
            c ->
                JsonArbitraries.mutations(c.json(), List.of("schemaVersion", "jobId", "groupId"))
                    .map(json -> new Object[] {c, json}));
  }

  @Property(tries = 500)
  void mutatedMessagesDecodeOrArePoisonNamingAField(@ForAll("mutated") Object[] input) {
    Case c = (Case) input[0];
    check(c, ((String) input[1]).getBytes(StandardCharsets.UTF_8));
  }

  @Property(tries = 300)
  void garbageIsPoison(
      @ForAll("types") Case c,
      @ForAll("garbageText") String text,
      @ForAll @Size(max = 3) byte[] tail) {
    byte[] body = text.getBytes(StandardCharsets.UTF_8);
    byte[] payload = new byte[body.length + tail.length];
    System.arraycopy(body, 0, payload, 0, body.length);
    System.arraycopy(tail, 0, payload, body.length, tail.length);
    check(c, payload);
  }

  @Provide
  Arbitrary<Case> types() {
    return Arbitraries.of(cases());
  }

  @Provide
  Arbitrary<String> garbageText() {
    return JsonArbitraries.garbage();
  }

  private static void check(Case c, byte[] payload) {
    try {
      VersionedMessage m = Json.decode(c.topic(), payload, c.type());
      assertThat(m).isNotNull();
      assertThat(Json.decode(c.topic(), Json.encode(m), c.type())).isEqualTo(m);
    } catch (PoisonMessageException e) {
      assertThat(e.field()).as("field of %s", e.getMessage()).isNotBlank();
      assertThat(e.reason()).as("reason").isNotBlank();
      assertThat(e.topic()).isEqualTo(c.topic());
      assertThat(e.payload()).isEqualTo(payload);
      // a dead letter can always be built from it
      assertThat(DeadLetter.of(e, 0, 1L, null, "r1-test", Instant.EPOCH).reason()).isNotBlank();
    }
  }
}
