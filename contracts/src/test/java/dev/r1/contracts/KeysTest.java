package dev.r1.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.apache.kafka.clients.producer.internals.BuiltInPartitioner;
import org.apache.kafka.common.serialization.StringSerializer;
import org.junit.jupiter.api.Test;

class KeysTest {

  @Test
  void promptSampledAndScoredRecordsOfOneGroupShareAKey() {
    PromptTask task = Samples.prompt("p1", "p1@epoch1", 4);
    SampledGroup group = Samples.sampled(task, 2, 10);
    ScoredGroup scored = Samples.scored(group);
    assertThat(Keys.of(task)).isEqualTo("job-42:p1@epoch1");
    assertThat(Keys.of(group)).isEqualTo(Keys.of(task));
    assertThat(Keys.of(scored)).isEqualTo(Keys.of(task));
    assertThat(Keys.of((VersionedMessage) scored)).isEqualTo(Keys.of(task));
  }

  @Test
  void promptWithoutGroupIdIsKeyedByItsPromptIdLikeItsGroup() {
    PromptTask task = Samples.prompt("p7", null, 2);
    assertThat(Keys.of(task)).isEqualTo("job-42:p7");
    assertThat(Keys.of(Samples.sampled(task, 0, 3))).isEqualTo(Keys.of(task));
  }

  @Test
  void jobScopedRecordsAreKeyedByJobId() {
    assertThat(Keys.of(Samples.policy(3))).isEqualTo(Samples.JOB);
    assertThat(Keys.of(Samples.event())).isEqualTo(Samples.JOB);
    ScoredGroup s = Samples.scored(Samples.sampled(Samples.prompt("p", "g", 2), 1, 2));
    assertThat(Keys.of(TrainingBatch.of(Samples.JOB, "b", 1, 1, List.of(GroupRef.of(s)))))
        .isEqualTo(Samples.JOB);
  }

  @Test
  void jobIdIsRecoveredFromEveryKeyShape() {
    assertThat(Keys.jobIdOf("job-42:g:with:colons")).isEqualTo("job-42");
    assertThat(Keys.jobIdOf("job-42")).isEqualTo("job-42");
    assertThat(Keys.jobIdOf("not a job id")).isNull();
    assertThat(Keys.jobIdOf(null)).isNull();
  }

  @Test
  void rejectsJobIdsThatWouldBreakKeys() {
    assertThatThrownBy(() -> Keys.group("a:b", "g"))
        .isInstanceOf(ContractViolationException.class)
        .hasMessageContaining("jobId");
  }

  @Test
  void partitionMatchesKafkaBuiltInPartitioner() {
    for (int i = 0; i < 500; i++) {
      String key = Keys.group("job-" + (i % 7), "g" + i);
      byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
      for (int n : new int[] {1, 3, 12, 64}) {
        assertThat(Keys.partition(key, n)).isEqualTo(BuiltInPartitioner.partitionForKey(bytes, n));
      }
    }
  }

  /**
   * What KafkaProducer does for a keyed record without an explicit partition or custom partitioner:
   * serialize the key with the key serializer, then {@code partitionForKey}.
   */
  @Test
  void producerPartitioningPutsEveryRecordOfAGroupInTheSamePartitionNumber() {
    int n = Topics.GROUP_PARTITIONS;
    Set<Integer> used = new HashSet<>();
    try (StringSerializer keySerializer = new StringSerializer()) {
      for (int g = 0; g < 40; g++) {
        PromptTask task = Samples.prompt("p" + g, "g" + g, 2);
        SampledGroup sampled = Samples.sampled(task, 1, 3);
        ScoredGroup scored = Samples.scored(sampled);
        int p1 = partition(keySerializer, Topics.PROMPTS, task, n);
        int p2 = partition(keySerializer, Topics.SAMPLED_GROUPS, sampled, n);
        int p3 = partition(keySerializer, Topics.SCORED_GROUPS, scored, n);
        assertThat(p2).as("group g%d sampled", g).isEqualTo(p1);
        assertThat(p3).as("group g%d scored", g).isEqualTo(p1);
        assertThat(p1).isEqualTo(Keys.partition(Keys.of(task), n));
        used.add(p1);
      }
    }
    // 40 groups of one job over 12 partitions: the key spreads a job's groups, not pins the job
    assertThat(used.size()).isGreaterThan(6);
  }

  private static int partition(
      StringSerializer keySerializer, String topic, VersionedMessage m, int partitions) {
    return BuiltInPartitioner.partitionForKey(
        keySerializer.serialize(topic, Keys.of(m)), partitions);
  }
}
