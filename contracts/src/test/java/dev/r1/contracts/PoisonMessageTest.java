package dev.r1.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.nio.charset.StandardCharsets;
import org.apache.kafka.common.errors.SerializationException;
import org.junit.jupiter.api.Test;

class PoisonMessageTest {

  private final MessageDeserializer<VersionedMessage> deserializer = new MessageDeserializer<>();

  private PoisonMessageException poison(String topic, byte[] payload) {
    return catchThrowableOfType(
        PoisonMessageException.class, () -> deserializer.deserialize(topic, payload));
  }

  private PoisonMessageException poison(String topic, String json) {
    return poison(topic, json.getBytes(StandardCharsets.UTF_8));
  }

  private static ObjectNode tree(VersionedMessage m) throws Exception {
    return (ObjectNode) Json.mapper().readTree(Json.encode(m));
  }

  @Test
  void rejectsPayloadThatIsNotJson() {
    PoisonMessageException e = poison(Topics.PROMPTS, "hello, not json");
    assertThat(e).isNotNull().isInstanceOf(SerializationException.class);
    assertThat(e.topic()).isEqualTo(Topics.PROMPTS);
    assertThat(e.field()).isEqualTo(PoisonMessageException.WHOLE_PAYLOAD);
    assertThat(e.reason()).startsWith("not valid JSON");
    assertThat(e.getMessage()).contains(Topics.PROMPTS).contains("PromptTask");
    assertThat(e.payload()).isEqualTo("hello, not json".getBytes(StandardCharsets.UTF_8));
  }

  @Test
  void rejectsTruncatedJson() throws Exception {
    String json = Json.encodeToString(Samples.policy(2));
    PoisonMessageException e =
        poison(Topics.POLICY_PUBLISHED, json.substring(0, json.length() / 2));
    assertThat(e.field()).isEqualTo(PoisonMessageException.WHOLE_PAYLOAD);
    assertThat(e.reason()).startsWith("not valid JSON");
  }

  @Test
  void rejectsEmptyBytes() {
    PoisonMessageException e = poison(Topics.SAMPLED_GROUPS, new byte[0]);
    assertThat(e.field()).isEqualTo(PoisonMessageException.WHOLE_PAYLOAD);
    assertThat(e.reason()).contains("empty");
    assertThat(e.messageType()).isEqualTo("SampledGroup");
  }

  @Test
  void rejectsJsonArrayInsteadOfObject() {
    PoisonMessageException e = poison(Topics.JOB_EVENTS, "[1,2,3]");
    assertThat(e.field()).isEqualTo(PoisonMessageException.WHOLE_PAYLOAD);
    assertThat(e.reason()).contains("expected a JSON object but found an array");
  }

  @Test
  void rejectsMissingJobIdNamingTheField() throws Exception {
    ObjectNode t = tree(Samples.prompt("p1", "g1", 2));
    t.remove("jobId");
    PoisonMessageException e = poison(Topics.PROMPTS, t.toString());
    assertThat(e.field()).isEqualTo("jobId");
    assertThat(e.reason()).isEqualTo("PromptTask.jobId is required");
    assertThat(e.jobId()).isNull();
  }

  @Test
  void rejectsMissingNestedJobIdInsideEmbeddedTask() throws Exception {
    ObjectNode t = tree(Samples.sampled(Samples.prompt("p1", "g1", 2), 1, 4));
    ((ObjectNode) t.get("task")).remove("jobId");
    PoisonMessageException e = poison(Topics.SAMPLED_GROUPS, t.toString());
    assertThat(e.field()).isEqualTo("task.jobId");
    assertThat(e.jobId()).isEqualTo(Samples.JOB);
  }

  @Test
  void rejectsStringWhereNumberBelongs() throws Exception {
    ObjectNode t = tree(Samples.prompt("p1", "g1", 2));
    t.put("step", "five");
    PoisonMessageException e = poison(Topics.PROMPTS, t.toString());
    assertThat(e.field()).isEqualTo("step");
    assertThat(e.jobId()).isEqualTo(Samples.JOB);
  }

  @Test
  void rejectsNumericStringWhereNumberBelongs() throws Exception {
    ObjectNode t = tree(Samples.prompt("p1", "g1", 2));
    t.put("step", "5");
    assertThat(poison(Topics.PROMPTS, t.toString()).field()).isEqualTo("step");
  }

  @Test
  void rejectsNumberWhereStringBelongs() throws Exception {
    ObjectNode t = tree(Samples.policy(1));
    t.put("uri", 17);
    assertThat(poison(Topics.POLICY_PUBLISHED, t.toString()).field()).isEqualTo("uri");
  }

  @Test
  void rejectsFractionalTokenIdNamingTheArrayElementPath() throws Exception {
    ObjectNode t = tree(Samples.sampled(Samples.prompt("p1", "g1", 2), 1, 4));
    ((ArrayNode) t.get("completions").get(1).get("tokenIds")).set(2, 3.5);
    PoisonMessageException e = poison(Topics.SAMPLED_GROUPS, t.toString());
    assertThat(e.field()).startsWith("completions[1].tokenIds");
  }

  @Test
  void rejectsMissingPrimitiveField() throws Exception {
    ObjectNode t = tree(Samples.sampled(Samples.prompt("p1", "g1", 2), 1, 4));
    t.remove("policyVersion");
    PoisonMessageException e = poison(Topics.SAMPLED_GROUPS, t.toString());
    assertThat(e.field()).isEqualTo("policyVersion");
    assertThat(e.reason()).startsWith("is required (missing or null");
  }

  @Test
  void rejectsNullForPrimitiveField() throws Exception {
    ObjectNode t = tree(Samples.event());
    t.putNull("sequence");
    assertThat(poison(Topics.JOB_EVENTS, t.toString()).field()).isEqualTo("sequence");
  }

  @Test
  void rejectsUnknownEnumConstant() throws Exception {
    ObjectNode t = tree(Samples.event());
    t.put("type", "EXPLODED");
    PoisonMessageException e = poison(Topics.JOB_EVENTS, t.toString());
    assertThat(e.field()).isEqualTo("type");
    assertThat(e.reason()).contains("EXPLODED");
  }

  @Test
  void rejectsLogprobsOfWrongLengthNamingTheCompletion() throws Exception {
    ObjectNode t = tree(Samples.sampled(Samples.prompt("p1", "g1", 2), 1, 4));
    ((ArrayNode) t.get("completions").get(1).get("behaviourLogprobs")).remove(0);
    PoisonMessageException e = poison(Topics.SAMPLED_GROUPS, t.toString());
    assertThat(e.field()).isEqualTo("completions[1].behaviourLogprobs");
    assertThat(e.reason()).contains("has 4 entries but tokenIds has 5");
  }

  @Test
  void rejectsGroupWhoseScoresDoNotMatchItsCompletions() throws Exception {
    ObjectNode t = tree(Samples.scored(Samples.sampled(Samples.prompt("p1", "g1", 2), 1, 4)));
    ((ObjectNode) t.get("scores").get(1)).put("completionId", "someone-else");
    PoisonMessageException e = poison(Topics.SCORED_GROUPS, t.toString());
    assertThat(e.field()).isEqualTo("scores[1].completionId");
  }

  @Test
  void rejectsNewerSchemaVersionWithUpgradeHint() throws Exception {
    ObjectNode t = tree(Samples.prompt("p1", "g1", 2));
    t.put("schemaVersion", PromptTask.SCHEMA_VERSION + 1);
    t.put("step", "a v2 producer may have changed this");
    PoisonMessageException e = poison(Topics.PROMPTS, t.toString());
    assertThat(e.field()).isEqualTo("schemaVersion");
    assertThat(e.reason())
        .contains(
            "schemaVersion 2 is newer than the newest PromptTask version this consumer reads (1)")
        .contains("upgrade the consumer");
    assertThat(e.jobId()).isEqualTo(Samples.JOB);
  }

  @Test
  void rejectsMissingSchemaVersion() throws Exception {
    ObjectNode t = tree(Samples.policy(1));
    t.remove("schemaVersion");
    PoisonMessageException e = poison(Topics.POLICY_PUBLISHED, t.toString());
    assertThat(e.field()).isEqualTo("schemaVersion");
    assertThat(e.reason()).isEqualTo("is required");
  }

  @Test
  void rejectsZeroSchemaVersion() throws Exception {
    ObjectNode t = tree(Samples.policy(1));
    t.put("schemaVersion", 0);
    PoisonMessageException e = poison(Topics.POLICY_PUBLISHED, t.toString());
    assertThat(e.field()).isEqualTo("schemaVersion");
    assertThat(e.reason()).contains(">= 1");
  }

  @Test
  void rejectsTextualSchemaVersion() throws Exception {
    ObjectNode t = tree(Samples.policy(1));
    t.put("schemaVersion", "1");
    assertThat(poison(Topics.POLICY_PUBLISHED, t.toString()).field()).isEqualTo("schemaVersion");
  }

  @Test
  void rejectsTrailingGarbageAfterTheObject() throws Exception {
    String json = Json.encodeToString(Samples.policy(1)) + " {}";
    assertThat(poison(Topics.POLICY_PUBLISHED, json).field())
        .isEqualTo(PoisonMessageException.WHOLE_PAYLOAD);
  }

  @Test
  void deadLetterOfPoisonTakesJobIdFromKeyWhenPayloadHasNone() {
    PoisonMessageException e = poison(Topics.SCORED_GROUPS, "garbage");
    DeadLetter dl = DeadLetter.of(e, 1, 2, "job-7:g3", "r1-trainer", java.time.Instant.EPOCH);
    assertThat(dl.jobId()).isEqualTo("job-7");
    assertThat(dl.field()).isEqualTo(PoisonMessageException.WHOLE_PAYLOAD);
    assertThat(dl.payloadText()).isEqualTo("garbage");
    assertThat(Keys.of(dl)).isEqualTo("job-7:g3");
  }

  @Test
  void unknownTopicWithoutConfiguredTypeIsAConfigurationErrorNotPoison() {
    SerializationException e =
        catchThrowableOfType(
            SerializationException.class,
            () ->
                deserializer.deserialize("not.an.r1.topic", "{}".getBytes(StandardCharsets.UTF_8)));
    assertThat(e).isNotInstanceOf(PoisonMessageException.class);
    assertThat(e.getMessage()).contains("not.an.r1.topic");
  }
}
