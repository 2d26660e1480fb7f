package dev.r1.contracts;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * A gradient step must be traceable to its prompts, completions, rewards and policy versions using
 * only what travels on the topics.
 */
class TraceTest {

  @Test
  void trainingBatchIdsLeadBackToPromptsCompletionsRewardsAndPolicyVersions() {
    MessageSerializer<VersionedMessage> ser = new MessageSerializer<>();
    MessageDeserializer<VersionedMessage> de = new MessageDeserializer<>();

    // What an auditor reads back from the retained topics, indexed by id.
    Map<String, PromptTask> promptsByKey = new HashMap<>();
    Map<String, ScoredGroup> scoredByKey = new HashMap<>();
    List<GroupRef> refs = new ArrayList<>();
    long[] versions = {4, 5, 6};
    for (int i = 0; i < 3; i++) {
      PromptTask task = Samples.prompt("countdown-" + i, "countdown-" + i + "@e0", 4);
      PromptTask sentTask =
          (PromptTask) de.deserialize(Topics.PROMPTS, ser.serialize(Topics.PROMPTS, task));
      promptsByKey.put(Keys.of(sentTask), sentTask);
      SampledGroup group = Samples.sampled(sentTask, versions[i], 8);
      ScoredGroup scored = Samples.scored(group);
      ScoredGroup sentScored =
          (ScoredGroup)
              de.deserialize(Topics.SCORED_GROUPS, ser.serialize(Topics.SCORED_GROUPS, scored));
      scoredByKey.put(Keys.of(sentScored), sentScored);
      refs.add(GroupRef.of(sentScored, Keys.partition(Keys.of(sentScored), 12), 100 + i));
    }
    TrainingBatch batch =
        (TrainingBatch)
            de.deserialize(
                Topics.TRAINING_BATCHES,
                ser.serialize(
                    Topics.TRAINING_BATCHES, TrainingBatch.of(Samples.JOB, "step-9", 9, 6, refs)));

    assertThat(batch.minPolicyVersion()).isEqualTo(4);
    assertThat(batch.maxPolicyVersion()).isEqualTo(6);
    assertThat(batch.maxStaleness()).isEqualTo(2);
    assertThat(batch.completionCount()).isEqualTo(12);

    List<String> tracedPrompts = new ArrayList<>();
    for (GroupRef ref : batch.groups()) {
      String key = Keys.group(batch.jobId(), ref.groupId());
      ScoredGroup scored = scoredByKey.get(key);
      PromptTask prompt = promptsByKey.get(key);
      assertThat(scored).as("scored group for %s", key).isNotNull();
      assertThat(prompt).as("prompt task for %s", key).isNotNull();
      assertThat(prompt.promptId()).isEqualTo(ref.promptId());
      assertThat(scored.group().task()).isEqualTo(prompt);
      assertThat(scored.policyVersion()).isEqualTo(ref.policyVersion());
      assertThat(scored.completionIds()).containsExactlyElementsOf(ref.completionIds());
      assertThat(ref.sourcePartition()).isEqualTo(Keys.partition(key, 12));
      for (String completionId : ref.completionIds()) {
        Completion c =
            scored.group().completions().stream()
                .filter(x -> x.completionId().equals(completionId))
                .findFirst()
                .orElseThrow();
        assertThat(c.tokenIds()).hasSameSizeAs(c.behaviourLogprobs());
      }
      tracedPrompts.add(
          prompt.promptId() + "@v" + scored.policyVersion() + ":" + prompt.datasetRow());
    }
    assertThat(tracedPrompts)
        .containsExactly("countdown-0@v4:1234", "countdown-1@v5:1234", "countdown-2@v6:1234");
  }
}
