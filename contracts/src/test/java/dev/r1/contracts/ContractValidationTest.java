package dev.r1.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.time.Instant;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;

class ContractValidationTest {

  private static ContractViolationException violation(Executable build) {
    return catchThrowableOfType(ContractViolationException.class, build::execute);
  }

  @Test
  void promptNeedsExactlyOneOfTextAndMessages() {
    PromptTask ok = Samples.prompt("p", "g", 2);
    ContractViolationException e =
        violation(
            () ->
                new PromptTask(
                    1,
                    "j",
                    "p",
                    null,
                    0,
                    0,
                    0,
                    "text",
                    List.of(new ChatMessage("user", "x")),
                    null,
                    null,
                    null,
                    ok.samplingParams()));
    assertThat(e.recordType()).isEqualTo("PromptTask");
    assertThat(e.field()).isEqualTo("prompt");
    assertThat(e.getMessage()).contains("both set");
  }

  @Test
  void samplingParamsRejectOutOfRangeValuesByName() {
    assertThat(violation(() -> new SamplingParams(0, 1, 1, 0, 10, null, null)).field())
        .isEqualTo("groupSize");
    assertThat(violation(() -> new SamplingParams(2, -0.1, 1, 0, 10, null, null)).field())
        .isEqualTo("temperature");
    assertThat(violation(() -> new SamplingParams(2, 1, 0, 0, 10, null, null)).field())
        .isEqualTo("topP");
    assertThat(violation(() -> new SamplingParams(2, 1, 1, -1, 10, null, null)).field())
        .isEqualTo("topK");
    assertThat(violation(() -> new SamplingParams(2, 1, 1, 0, 0, null, null)).field())
        .isEqualTo("maxNewTokens");
  }

  @Test
  void completionRejectsPositiveOrNanLogprob() {
    ContractViolationException e =
        violation(
            () ->
                new Completion(
                    "c", "t", new int[] {1, 2}, new float[] {-0.5f, 0.7f}, FinishReason.STOP));
    assertThat(e.field()).isEqualTo("behaviourLogprobs[1]");
    assertThat(
            violation(
                    () ->
                        new Completion(
                            "c", "t", new int[] {1}, new float[] {Float.NaN}, FinishReason.STOP))
                .field())
        .isEqualTo("behaviourLogprobs[0]");
  }

  @Test
  void completionArraysAreCopiedSoTheRecordIsImmutable() {
    int[] ids = {1, 2, 3};
    Completion c = new Completion("c", "t", ids, new float[] {-1, -2, -3}, FinishReason.STOP);
    ids[0] = 99;
    c.tokenIds()[1] = 98;
    assertThat(c.tokenIds()).containsExactly(1, 2, 3);
  }

  @Test
  void sampledGroupMustHoldExactlyGroupSizeDistinctCompletions() {
    PromptTask task = Samples.prompt("p", "g", 2);
    Completion c = Samples.completion("g/0", 3, 1);
    ContractViolationException e =
        violation(
            () ->
                new SampledGroup(
                    1,
                    Samples.JOB,
                    "p",
                    "g",
                    0,
                    task,
                    null,
                    List.of(c, c),
                    new GenerationTimings(1, 1),
                    "s"));
    assertThat(e.field()).isEqualTo("completions.completionId[1]");
    assertThat(e.getMessage()).contains("duplicates id 'g/0'");
  }

  @Test
  void sampledGroupIdsMustAgreeWithItsTask() {
    PromptTask task = Samples.prompt("p", "g", 1);
    ContractViolationException e =
        violation(
            () ->
                new SampledGroup(
                    1,
                    Samples.JOB,
                    "p",
                    "other-group",
                    0,
                    task,
                    null,
                    List.of(Samples.completion("x", 2, 1)),
                    new GenerationTimings(1, 1),
                    "s"));
    assertThat(e.field()).isEqualTo("groupId");
  }

  @Test
  void trainingBatchCannotContainSamplesFromAFuturePolicy() {
    ScoredGroup s = Samples.scored(Samples.sampled(Samples.prompt("p", "g", 2), 8, 2));
    ContractViolationException e =
        violation(() -> TrainingBatch.of(Samples.JOB, "b", 1, 7, List.of(GroupRef.of(s))));
    assertThat(e.field()).isEqualTo("trainerPolicyVersion");
    assertThat(e.getMessage()).contains("newer version 8");
  }

  @Test
  void trainingBatchPolicyRangeMustMatchItsGroups() {
    ScoredGroup s = Samples.scored(Samples.sampled(Samples.prompt("p", "g", 2), 3, 2));
    ContractViolationException e =
        violation(
            () -> new TrainingBatch(1, Samples.JOB, "b", 1, 5, List.of(GroupRef.of(s)), 2, 3));
    assertThat(e.field()).isEqualTo("minPolicyVersion");
  }

  @Test
  void policyPublishedRequiresAHexSha256() {
    PolicyPublished ok = Samples.policy(1);
    ContractViolationException e =
        violation(
            () ->
                new PolicyPublished(
                    1, ok.jobId(), 1, 1, ok.uri(), "ABC", ok.format(), 1, Instant.EPOCH));
    assertThat(e.field()).isEqualTo("sha256");
  }

  @Test
  void policyPublishedFilesMustBeSafeNamesWithHexHashesAndDistinct() {
    String hash = Samples.policy(1).sha256();
    assertThat(violation(() -> new PolicyPublished.File("../model.safetensors", hash, 1)).field())
        .isEqualTo("name");
    assertThat(violation(() -> new PolicyPublished.File("config.json", "ABC", 1)).field())
        .isEqualTo("sha256");
    assertThat(violation(() -> new PolicyPublished.File("config.json", hash, -1)).field())
        .isEqualTo("sizeBytes");
    PolicyPublished ok = Samples.policyWithFiles(1);
    ContractViolationException e =
        violation(
            () ->
                new PolicyPublished(
                    1,
                    ok.jobId(),
                    1,
                    1,
                    ok.uri(),
                    ok.sha256(),
                    ok.format(),
                    1,
                    Instant.EPOCH,
                    List.of(
                        new PolicyPublished.File("config.json", hash, 1),
                        new PolicyPublished.File("config.json", hash, 2))));
    assertThat(e.field()).isEqualTo("files.name[1]");
  }

  @Test
  void jobEventRejectsNonFiniteMetricNamingTheMetric() {
    JobEvent ok = Samples.event();
    ContractViolationException e =
        violation(
            () ->
                new JobEvent(
                    1,
                    ok.jobId(),
                    ok.eventId(),
                    1,
                    "t",
                    JobEventType.STEP_METRICS,
                    EventLevel.INFO,
                    "",
                    java.util.Map.of("loss", Double.NaN),
                    1L,
                    Instant.EPOCH));
    assertThat(e.field()).isEqualTo("metrics.loss");
    assertThat(JobEventType.CANCELLED.terminal()).isTrue();
    assertThat(JobEventType.PAUSED.terminal()).isFalse();
  }
}
