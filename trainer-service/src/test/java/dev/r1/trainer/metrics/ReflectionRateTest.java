package dev.r1.trainer.metrics;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReflectionRateTest {

  @Test
  void countsCompletionsWithAReflectionMarker() {
    List<String> texts =
        List.of(
            "<think>12+30=42. Wait, let me re-check: 12+30 is 42.</think><answer>42</answer>",
            "<think>7*6 = 42</think><answer>42</answer>",
            "<think>I made a mistake above; 9-4 is 5.</think><answer>5</answer>",
            "<think>Let me verify the sum.</think><answer>3</answer>");
    assertThat(ReflectionRate.of(texts)).isEqualTo(0.75);
  }

  @Test
  void wholeWordsOnly() {
    assertThat(ReflectionRate.reflects("the waiter brought the unverified bill")).isFalse();
    assertThat(ReflectionRate.reflects("WAIT. That is wrong.")).isTrue();
    assertThat(ReflectionRate.reflects(null)).isFalse();
    assertThat(ReflectionRate.of(List.of())).isZero();
  }
}
