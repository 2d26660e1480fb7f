package dev.r1.contracts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class TopicsTest {

  @Test
  void everyDataTopicHasADeadLetterTwinOfEqualPartitions() {
    assertThat(Topics.MAIN)
        .extracting(TopicSpec::name)
        .containsExactly(
            "r1.prompts.v1",
            "r1.sampled-groups.v1",
            "r1.scored-groups.v1",
            "r1.training-batches.v1",
            "r1.policy-published.v1",
            "r1.job-events.v1",
            "r1.jobs.v1");
    assertThat(Topics.ALL).hasSize(14);
    for (TopicSpec main : Topics.MAIN) {
      TopicSpec dlt = Topics.spec(Topics.dlt(main.name())).orElseThrow();
      assertThat(dlt.name()).isEqualTo(main.name() + ".dlt");
      assertThat(dlt.deadLetter()).isTrue();
      assertThat(dlt.partitions()).isEqualTo(main.partitions());
      assertThat(dlt.valueType()).isEqualTo(DeadLetter.class);
      assertThat((long) dlt.maxMessageBytes()).isGreaterThan(main.maxMessageBytes() * 4L / 3);
    }
    assertThat(Topics.ALL).extracting(TopicSpec::name).doesNotHaveDuplicates();
    assertThat(Topics.PROMPTS_DLT).isEqualTo("r1.prompts.v1.dlt");
  }

  @Test
  void topicConfigsUseSupportedCompressionAndPositiveLimits() {
    for (TopicSpec s : Topics.ALL) {
      assertThat(s.compressionType()).as(s.name()).isIn("zstd", "lz4");
      assertThat(Long.parseLong(s.configs().get(Topics.RETENTION_MS_CONFIG))).isPositive();
      assertThat(s.configs().get(Topics.CLEANUP_POLICY_CONFIG)).isIn("delete", "compact,delete");
    }
    assertThat(Topics.spec(Topics.POLICY_PUBLISHED).orElseThrow().configs())
        .containsEntry(Topics.CLEANUP_POLICY_CONFIG, "compact,delete");
    assertThat(Topics.valueType(Topics.SCORED_GROUPS)).contains(ScoredGroup.class);
    assertThat(Topics.spec("nope")).isEmpty();
    assertThatThrownBy(() -> Topics.dlt(Topics.PROMPTS_DLT)).hasMessageContaining("already");
  }

  @Test
  void producerAndConsumerOverridesMatchTheTopicLimit() {
    assertThat(Topics.producerConfigs(Topics.SAMPLED_GROUPS))
        .containsEntry("max.request.size", Topics.GROUP_MAX_MESSAGE_BYTES)
        .containsEntry("compression.type", "lz4")
        .containsEntry("acks", "all");
    assertThat(Topics.consumerConfigs(Topics.SCORED_GROUPS))
        .containsEntry("max.partition.fetch.bytes", Topics.GROUP_MAX_MESSAGE_BYTES);
    assertThatThrownBy(() -> Topics.producerConfigs("x")).hasMessageContaining("unknown R1 topic");
  }

  /** G=16 completions of 8,192 tokens with random ids and log-probs must fit the group topics. */
  @Test
  void longestExpectedScoredGroupFitsTheGroupTopicLimit() {
    int g = 16;
    int tokens = 8192;
    PromptTask task =
        PromptTask.ofText(
            Samples.JOB,
            "long",
            null,
            0,
            0,
            0,
            "prompt",
            "42",
            null,
            SamplingParams.r1Defaults(g, tokens));
    List<Completion> cs = new ArrayList<>();
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < tokens; i++) {
      text.append("tok ");
    }
    for (int i = 0; i < g; i++) {
      Completion c = Samples.completion("long/" + i, tokens, i);
      cs.add(
          new Completion(
              c.completionId(),
              text.toString(),
              c.tokenIds(),
              c.behaviourLogprobs(),
              FinishReason.LENGTH));
    }
    SampledGroup group =
        new SampledGroup(
            SampledGroup.SCHEMA_VERSION,
            Samples.JOB,
            "long",
            "long",
            1,
            task,
            new int[2048],
            cs,
            new GenerationTimings(60_000, 2184.5),
            "sampler-0");
    ScoredGroup scored = Samples.scored(group);
    byte[] bytes = Json.encode(scored);
    // ~2.8-3.5 MiB: 16 x 8192 x (6 id + 11 logprob + 4 text) bytes
    assertThat(bytes.length).isBetween(2_000_000, 5_000_000);
    int limit = Topics.spec(Topics.SCORED_GROUPS).orElseThrow().maxMessageBytes();
    assertThat(bytes.length * 3L).as("room for 3x longer completions").isLessThan(limit);
    ScoredGroup back = Json.decode(Topics.SCORED_GROUPS, bytes, ScoredGroup.class);
    assertThat(back).isEqualTo(scored);
    // compressed with the topic's codec, as a producer batch holds it
    int compressed = compressedSize(Topics.SCORED_GROUPS, bytes);
    assertThat(compressed).isLessThan(bytes.length);
    System.out.printf(
        "A G=16 x 8,192-token scored group: %,d bytes of JSON, %,d after %s.%n",
        bytes.length,
        compressed,
        Topics.spec(Topics.SCORED_GROUPS).orElseThrow().compressionType());
  }

  private static int compressedSize(String topic, byte[] bytes) {
    org.apache.kafka.common.compress.Compression codec =
        org.apache.kafka.common.compress.Compression.of(
                org.apache.kafka.common.record.CompressionType.forName(
                    Topics.spec(topic).orElseThrow().compressionType()))
            .build();
    var buffer = new org.apache.kafka.common.utils.ByteBufferOutputStream(bytes.length);
    try (var out =
        codec.wrapForOutput(
            buffer, org.apache.kafka.common.record.RecordBatch.CURRENT_MAGIC_VALUE)) {
      out.write(bytes);
    } catch (java.io.IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
    return buffer.position();
  }
}
