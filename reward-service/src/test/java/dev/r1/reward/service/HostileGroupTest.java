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

/**
 * Hostile completions (megabyte text, pathological patterns, LaTeX nested 10,000 deep, code that
 * loops, forks, allocates 10 GB, writes outside its directory or opens a socket) are scored within
 * their limits, and the partition keeps flowing: a normal group sent after them to the same
 * partition is scored correctly.
 */
class HostileGroupTest extends ServiceTestBase {

  private static final String JOB = "job-hostile";
  private static final long CODE_TIMEOUT_MS = 8000;
  private static final long DEFAULT_TIMEOUT_MS = 10_000;
  private static final long SLACK_MS = 1500;

  @Autowired EmbeddedKafkaBroker broker;

  /** A group id whose key lands in {@code partition}. */
  private static String groupIn(String prefix, int partition) {
    for (int i = 0; ; i++) {
      String g = prefix + "-" + i;
      if (Keys.partition(Keys.group(JOB, g), Topics.GROUP_PARTITIONS) == partition) {
        return g;
      }
    }
  }

  private static String py(String code) {
    return "<think>\nwrite it\n</think>\n```python\n" + code + "\n```";
  }

  @Test
  void hostileGroupsAreScoredWithinTheirLimitsAndTheNextGroupStillFlows() throws Exception {
    String normalId = "g-normal";
    int partition = Keys.partition(Keys.group(JOB, normalId), Topics.GROUP_PARTITIONS);
    String textId = groupIn("g-text", partition);
    String codeId = groupIn("g-code", partition);

    SampledGroup text =
        Groups.of(
            JOB,
            textId,
            "What is 6 * 7?",
            "42",
            Map.of(),
            "<think>\n" + "a ".repeat(500_000) + "\n</think>\n<answer>1</answer>", // 1 MB
            "<think>".repeat(150_000), // repeated unclosed tags
            "$".repeat(200_000) + "\\(".repeat(100_000) + "\\".repeat(100_000),
            "<think>\nx\n</think>\n\\boxed{"
                + "\\frac{1}{".repeat(10_000)
                + "2"
                + "}".repeat(10_001),
            "<think>\nx\n</think>\n<answer>"
                + "(".repeat(300_000)
                + "1"
                + ")".repeat(300_000)
                + "</answer>",
            "<think>\nx\n</think>\n\\boxed{" + "9^{".repeat(2_000) + "9" + "}".repeat(2_001));
    Map<String, Object> codeSpec =
        Map.of(
            "rewards",
            List.of(
                Map.of(
                    "name",
                    "code",
                    "timeout_ms",
                    CODE_TIMEOUT_MS,
                    "params",
                    Map.of("wall_seconds", 2, "cpu_seconds", 1, "memory_mb", 256))));
    String tests = "[{\"input\":\"2 3\\n\",\"output\":\"5\\n\"}]";
    SampledGroup code =
        Groups.of(
            JOB,
            codeId,
            "Add two numbers.",
            tests,
            Map.of("reward_spec", codeSpec),
            py("a, b = map(int, input().split())\nprint(a + b)"),
            py("while True:\n    pass"),
            py(
                "import os\nwhile True:\n    try:\n        os.fork()\n    except OSError:\n        pass"),
            py("x = bytearray(10 * 1024 ** 3)\nprint(len(x))"),
            py("open('/tmp/r1-reward-escape-" + System.nanoTime() + "', 'w').write('x')\nprint(5)"),
            py(
                "import socket\ns = socket.create_connection(('1.1.1.1', 80), timeout=1)\nprint(5)"));
    SampledGroup normal =
        Groups.of(
            JOB,
            normalId,
            "What is 6 * 7?",
            "42",
            Map.of(),
            SampledGroupScoringTest.RIGHT,
            SampledGroupScoringTest.WRONG);

    long t0 = System.nanoTime();
    assertThat(KafkaTopics.send(broker, Topics.SAMPLED_GROUPS, Keys.of(text), Json.encode(text)))
        .isEqualTo(partition);
    assertThat(KafkaTopics.send(broker, Topics.SAMPLED_GROUPS, Keys.of(code), Json.encode(code)))
        .isEqualTo(partition);
    assertThat(
            KafkaTopics.send(broker, Topics.SAMPLED_GROUPS, Keys.of(normal), Json.encode(normal)))
        .isEqualTo(partition);

    List<ConsumerRecord<String, byte[]>> got =
        KafkaTopics.await(
            broker,
            Topics.SCORED_GROUPS,
            r -> r.key() != null && r.key().startsWith(JOB + ":"),
            3,
            Duration.ofSeconds(120));
    double seconds = (System.nanoTime() - t0) / 1e9;
    assertThat(got).as("three scored groups").hasSize(3);
    assertThat(got).extracting(ConsumerRecord::partition).containsOnly(partition);
    assertThat(got)
        .extracting(ConsumerRecord::key)
        .containsExactly(Keys.of(text), Keys.of(code), Keys.of(normal));
    assertThat(seconds).as("whole run").isLessThan(90);

    ScoredGroup textScored = decode(got.get(0));
    for (CompletionScore s : textScored.scores()) {
      for (RewardComponent c : s.components()) {
        assertThat(c.millis())
            .as(s.completionId() + " " + c.name() + ": " + c.detail())
            .isLessThanOrEqualTo(DEFAULT_TIMEOUT_MS + SLACK_MS);
      }
      RewardComponent accuracy = s.components().get(0);
      assertThat(accuracy.name()).isEqualTo("accuracy");
      assertThat(accuracy.value()).as(s.completionId() + " " + accuracy.detail()).isZero();
    }

    ScoredGroup codeScored = decode(got.get(1));
    RewardComponent correct = codeScored.scores().get(0).components().get(0);
    assertThat(correct.status()).as(correct.detail()).isEqualTo(RewardStatus.OK);
    assertThat(correct.value()).isEqualTo(1.0);
    for (CompletionScore s : codeScored.scores().subList(1, 6)) {
      RewardComponent c = s.components().get(0);
      assertThat(c.status())
          .as(s.completionId() + ": " + c.detail())
          .isIn(RewardStatus.TIMEOUT, RewardStatus.ERROR);
      assertThat(c.value()).isZero();
      assertThat(c.millis()).isLessThanOrEqualTo(CODE_TIMEOUT_MS + SLACK_MS);
    }
    assertThat(codeScored.scores().get(1).components().get(0).status())
        .as("the endless loop")
        .isEqualTo(RewardStatus.TIMEOUT);
    assertThat(codeScored.scores().get(3).components().get(0).detail())
        .as("10 GB allocation")
        .contains("MemoryError");

    ScoredGroup normalScored = decode(got.get(2));
    assertThat(normalScored.totals()).containsExactly(2.0, 1.0);
    assertThat(normalScored.scores().get(0).components())
        .allSatisfy(c -> assertThat(c.status()).isEqualTo(RewardStatus.OK));
  }

  private static ScoredGroup decode(ConsumerRecord<String, byte[]> r) {
    return Json.decode(Topics.SCORED_GROUPS, r.value(), ScoredGroup.class);
  }
}
