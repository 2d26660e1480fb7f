package dev.r1.reward.repetition;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardParams;
import java.util.Map;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

class RepetitionPenaltyTest {

  private static double score(int n, double max, String text) {
    return new RepetitionPenalty(n, max, false).score(RewardInput.of(text, null)).value();
  }

  @Test
  void englishRepetitionIsPenalised() {
    // 2-grams of 5 identical words: 4 total, 1 unique
    assertThat(score(2, -1.0, "the the the the the")).isEqualTo(-0.75);
    assertThat(score(2, -1.0, "a quick brown fox jumps")).isZero();
    assertThat(score(2, -1.0, "The Cat the cat")).isCloseTo(-1.0 / 3, Offset.offset(1e-12));
  }

  @Test
  void chineseUsesCharacterNgrams() {
    // 10 characters, 9 bigrams, unique {这个, 个这}
    assertThat(score(2, -1.0, "这个这个这个这个这个")).isCloseTo(-(1 - 2 / 9.0), Offset.offset(1e-12));
    assertThat(score(2, -1.0, "我今天学习数学")).isZero();
    // mixed: CJK characters and English words share one sequence
    assertThat(score(2, -1.0, "数学 math 数学 math")).isCloseTo(-(1 - 3 / 5.0), Offset.offset(1e-12));
  }

  @Test
  void shortOrEmptyTextScoresZero() {
    assertThat(score(3, -1.0, "")).isZero();
    assertThat(score(3, -1.0, "two words")).isZero();
  }

  @Test
  void rejectsPositiveMaxPenalty() {
    assertThatThrownBy(() -> RepetitionPenalty.from(RewardParams.of(Map.of("max_penalty", 0.5))))
        .hasMessageContaining("params.max_penalty")
        .hasMessageContaining("should not be positive");
  }
}
