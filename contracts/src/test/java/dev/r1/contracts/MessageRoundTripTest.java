package dev.r1.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class MessageRoundTripTest {

  private final MessageSerializer<VersionedMessage> serializer = new MessageSerializer<>();
  private final MessageDeserializer<VersionedMessage> byTopic = new MessageDeserializer<>();

  private VersionedMessage roundTrip(String topic, VersionedMessage message) {
    byte[] bytes = serializer.serialize(topic, message);
    return byTopic.deserialize(topic, bytes);
  }

  @Test
  void promptTaskWithTextSurvivesRoundTrip() {
    PromptTask task = Samples.prompt("cd-1", "cd-1@e1", 4);
    VersionedMessage back = roundTrip(Topics.PROMPTS, task);
    assertThat(back).isInstanceOf(PromptTask.class).isEqualTo(task);
    assertThat(((PromptTask) back).metadata()).containsEntry("numbers", List.of(3, 7, 25));
  }

  @Test
  void promptTaskWithChatMessagesSurvivesRoundTrip() {
    PromptTask task = Samples.chatPrompt();
    PromptTask back = (PromptTask) roundTrip(Topics.PROMPTS, task);
    assertThat(back).isEqualTo(task);
    assertThat(back.messages()).extracting(ChatMessage::role).containsExactly("system", "user");
    assertThat(back.requestedPolicyVersion()).isEqualTo(3L);
    assertThat(back.resolvedGroupId()).isEqualTo("gsm8k-17");
  }

  @Test
  void sampledGroupKeepsTokenIdsAndLogprobsBitExact() {
    SampledGroup group = Samples.sampled(Samples.prompt("cd-1", "g1", 4), 7, 300);
    SampledGroup back = (SampledGroup) roundTrip(Topics.SAMPLED_GROUPS, group);
    assertThat(back).isEqualTo(group);
    for (int i = 0; i < group.completions().size(); i++) {
      Completion want = group.completions().get(i);
      Completion got = back.completions().get(i);
      assertThat(got.tokenIds()).containsExactly(want.tokenIds());
      float[] w = want.behaviourLogprobs();
      float[] g = got.behaviourLogprobs();
      for (int t = 0; t < w.length; t++) {
        assertThat(Float.floatToIntBits(g[t])).isEqualTo(Float.floatToIntBits(w[t]));
      }
    }
    assertThat(back.promptTokenIds()).containsExactly(151644, 872, 198);
  }

  @Test
  void scoredGroupSurvivesRoundTrip() {
    ScoredGroup scored = Samples.scored(Samples.sampled(Samples.prompt("cd-2", "g2", 4), 3, 20));
    ScoredGroup back = (ScoredGroup) roundTrip(Topics.SCORED_GROUPS, scored);
    assertThat(back).isEqualTo(scored);
    assertThat(back.totals()).containsExactly(0, 1, 0, 1);
    assertThat(back.scores().get(0).components().get(1).status()).isEqualTo(RewardStatus.TIMEOUT);
  }

  @Test
  void trainingBatchSurvivesRoundTrip() {
    ScoredGroup a = Samples.scored(Samples.sampled(Samples.prompt("p1", "g1", 2), 4, 5));
    ScoredGroup b = Samples.scored(Samples.sampled(Samples.prompt("p2", "g2", 2), 6, 5));
    TrainingBatch batch =
        TrainingBatch.of(
            Samples.JOB, "step-7", 7, 6, List.of(GroupRef.of(a, 3, 100), GroupRef.of(b)));
    TrainingBatch back = (TrainingBatch) roundTrip(Topics.TRAINING_BATCHES, batch);
    assertThat(back).isEqualTo(batch);
    assertThat(back.minPolicyVersion()).isEqualTo(4);
    assertThat(back.maxPolicyVersion()).isEqualTo(6);
    assertThat(back.maxStaleness()).isEqualTo(2);
    assertThat(back.groups().get(1).sourceOffset()).isNull();
  }

  @Test
  void policyPublishedSurvivesRoundTrip() {
    PolicyPublished p = Samples.policy(12);
    assertThat(roundTrip(Topics.POLICY_PUBLISHED, p)).isEqualTo(p);
  }

  @Test
  void policyPublishedWithItsFileListSurvivesRoundTrip() {
    PolicyPublished p = Samples.policyWithFiles(12);
    PolicyPublished back = (PolicyPublished) roundTrip(Topics.POLICY_PUBLISHED, p);
    assertThat(back).isEqualTo(p);
    assertThat(back.files()).extracting(PolicyPublished.File::name).contains("model.safetensors");
  }

  @Test
  void policyPublishedWrittenBeforeTheFileListReadsWithoutOne() {
    String json = Json.encodeToString(Samples.policy(3));
    assertThat(json).doesNotContain("files");
    PolicyPublished back =
        Json.decode(
            Topics.POLICY_PUBLISHED, json.getBytes(StandardCharsets.UTF_8), PolicyPublished.class);
    assertThat(back.files()).isNull();
    assertThat(back).isEqualTo(Samples.policy(3));
  }

  @Test
  void jobEventSurvivesRoundTrip() {
    JobEvent e = Samples.event();
    JobEvent back = (JobEvent) roundTrip(Topics.JOB_EVENTS, e);
    assertThat(back).isEqualTo(e);
    assertThat(back.metrics()).containsEntry("kl", 1.5e-3);
  }

  @Test
  void jobSubmittedSurvivesRoundTripWithNestedRewardSpec() {
    JobSubmitted job =
        new JobSubmitted(
            JobSubmitted.SCHEMA_VERSION,
            "job-7",
            "grpo",
            "tiny-arith",
            "ds-1",
            "file:/data/ds-1.jsonl",
            Map.of("functions", List.of(Map.of("name", "accuracy", "weight", 1.0))),
            Map.of("group_size", 8, "learning_rate", 1.0e-6, "loss_aggregation", "token_mean"),
            "alice",
            Instant.parse("2026-01-02T03:04:05Z"));
    JobSubmitted back = (JobSubmitted) roundTrip(Topics.JOBS, job);
    assertThat(back).isEqualTo(job);
    assertThat(Keys.of((VersionedMessage) back)).isEqualTo("job-7");
  }

  @Test
  void jobSubmittedRejectsUnknownMethodNamingTheField() {
    assertThatThrownBy(
            () ->
                new JobSubmitted(
                    1, "job-7", "ppo", "m", "ds-1", "file:/x", null, null, "alice", Instant.EPOCH))
        .isInstanceOf(ContractViolationException.class)
        .hasMessageContaining("method");
  }

  @Test
  void deadLetterSurvivesRoundTripAndKeepsRawPayload() {
    byte[] raw =
        "{\"jobId\":\"job-42\",\"schemaVersion\":1,\"step\":\"x\"}"
            .getBytes(StandardCharsets.UTF_8);
    PoisonMessageException poison = null;
    try {
      Json.decode(Topics.PROMPTS, raw, PromptTask.class);
    } catch (PoisonMessageException e) {
      poison = e;
    }
    assertThat(poison).isNotNull();
    DeadLetter dl =
        DeadLetter.of(
            poison, 3, 981, "job-42:g9", "r1-sampler", Instant.parse("2025-01-01T00:00:00Z"));
    DeadLetter back = (DeadLetter) roundTrip(Topics.PROMPTS_DLT, dl);
    assertThat(back).isEqualTo(dl);
    assertThat(back.payload()).isEqualTo(raw);
    assertThat(back.payloadText()).contains("\"step\":\"x\"");
    assertThat(back.field()).isEqualTo("step");
    assertThat(back.jobId()).isEqualTo("job-42");
    assertThat(back.originalTopic()).isEqualTo(Topics.PROMPTS);
    assertThat(back.exceptionClass()).isEqualTo(PoisonMessageException.class.getName());
  }

  @Test
  void jsonHoldsOnlyTheRecordComponentsAndOmitsNulls() throws Exception {
    SampledGroup group = Samples.sampled(Samples.prompt("p1", null, 2), 1, 3);
    JsonNode tree = Json.mapper().readTree(Json.encode(group));
    assertThat(tree.fieldNames())
        .toIterable()
        .containsExactly(
            "schemaVersion",
            "jobId",
            "promptId",
            "groupId",
            "policyVersion",
            "task",
            "promptTokenIds",
            "completions",
            "timings",
            "samplerInstance");
    assertThat(tree.get("task").has("groupId")).isFalse();
    assertThat(tree.get("completions").get(0).get("finishReason").asText()).isIn("stop", "length");
    JsonNode event = Json.mapper().readTree(Json.encode(Samples.event()));
    assertThat(event.get("timestamp").asText()).isEqualTo("2025-01-02T03:04:05Z");
  }

  @Test
  void unknownFieldsFromNewerProducersAreIgnored() {
    String json =
        Json.encodeToString(Samples.policy(1))
            .replaceFirst("\\{", "{\"addedLater\":{\"x\":[1,2]},\"note\":\"hi\",");
    PolicyPublished back =
        Json.decode(
            Topics.POLICY_PUBLISHED, json.getBytes(StandardCharsets.UTF_8), PolicyPublished.class);
    assertThat(back).isEqualTo(Samples.policy(1));
  }

  @Test
  void typedDeserializerAndConfiguredDeserializerAgree() {
    JobEvent e = Samples.event();
    byte[] bytes = Json.encode(e);
    try (MessageDeserializer<JobEvent> typed = new MessageDeserializer<>(JobEvent.class);
        MessageDeserializer<VersionedMessage> configured = new MessageDeserializer<>()) {
      configured.configure(
          Map.of(MessageDeserializer.VALUE_TYPE_CONFIG, JobEvent.class.getName()), false);
      assertThat(typed.deserialize("any-topic", bytes)).isEqualTo(e);
      assertThat(configured.deserialize("another-topic", bytes)).isEqualTo(e);
      assertThat(typed.deserialize("any-topic", null)).isNull();
    }
  }
}
