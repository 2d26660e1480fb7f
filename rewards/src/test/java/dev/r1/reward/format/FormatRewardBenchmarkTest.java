package dev.r1.reward.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.reward.RewardInput;
import org.junit.jupiter.api.Tag;
import org.junit.jupiter.api.Test;

/** Throughput of the format reward; excluded from the default build (tag "bench"). */
@Tag("bench")
class FormatRewardBenchmarkTest {

  @Test
  void formatRewardCompletionsPerSecond() {
    String reasoning = "Let me think step by step about the problem. ".repeat(40);
    RewardInput[] inputs = {
      RewardInput.of("<think>\n" + reasoning + "\n</think>\n<answer>42</answer>", null),
      RewardInput.of("<think>\n" + reasoning + "\n</think>\nThe answer is 42.", null),
      RewardInput.of("<think>\n" + reasoning + "<think>nested</think>\n</think>\n42", null),
    };
    FormatReward f = new FormatReward();
    double sink = 0;
    for (int i = 0; i < 200_000; i++) {
      sink += f.score(inputs[i % 3]).value();
    }
    int n = 1_000_000;
    long t0 = System.nanoTime();
    for (int i = 0; i < n; i++) {
      sink += f.score(inputs[i % 3]).value();
    }
    double secs = (System.nanoTime() - t0) / 1e9;
    System.out.printf(
        "format reward: %.0f completions/s (~%d chars each, 1 thread)%n",
        n / secs, inputs[0].completion().length());
    assertThat(sink).isPositive();
  }
}
