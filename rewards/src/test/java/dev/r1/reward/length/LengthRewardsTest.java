package dev.r1.reward.length;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardParams;
import dev.r1.reward.RewardResult;
import dev.r1.reward.TokenCounter;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LengthRewardsTest {

  private static RewardInput in(String text, Boolean correct) {
    return new RewardInput("", text, null, correct == null ? Map.of() : Map.of("correct", correct));
  }

  @Test
  void kimiRewardsShortCorrectAndPenalisesLongWrong() {
    KimiLengthReward k =
        KimiLengthReward.from(RewardParams.of(Map.of("unit", "chars")), TokenCounter.approximate());
    List<RewardResult> r =
        k.scoreGroup(
            List.of(
                in("aaaa", true),
                in("aaaaaaaa", true),
                in("aaaa", false),
                in("aaaaaaaa", false),
                in("aaaaaa", false)));
    // lambda = 0.5 - (len - 4) / (8 - 4)
    assertThat(r).extracting(RewardResult::value).containsExactly(0.5, -0.5, 0.0, -0.5, 0.0);
  }

  @Test
  void kimiNeedsCorrectnessUnlessReferenceFree() {
    KimiLengthReward strict =
        KimiLengthReward.from(RewardParams.of(Map.of("unit", "chars")), TokenCounter.approximate());
    assertThat(strict.scoreGroup(List.of(in("a", null), in("aa", true))).get(0).status())
        .isEqualTo(RewardResult.Status.ERROR);
    KimiLengthReward free =
        KimiLengthReward.from(
            RewardParams.of(Map.of("unit", "chars", "correctness", "assume_correct")),
            TokenCounter.approximate());
    assertThat(free.scoreGroup(List.of(in("a", null), in("aaa", null))))
        .extracting(RewardResult::value)
        .containsExactly(0.5, -0.5);
  }

  @Test
  void cosineScalesWithLengthAndClampsBeyondMaxLen() {
    CosineLengthReward c =
        CosineLengthReward.from(
            RewardParams.of(Map.of("max_len", 100, "unit", "tokens")), TokenCounter.approximate());
    RewardInput half =
        new RewardInput("", "x", null, Map.of("correct", true, "completion_tokens", 50));
    assertThat(c.score(half).value()).isCloseTo(0.75, org.assertj.core.data.Offset.offset(1e-12));
    RewardInput over =
        new RewardInput("", "x", null, Map.of("correct", true, "completion_tokens", 200));
    assertThat(c.score(over).value()).isCloseTo(0.5, org.assertj.core.data.Offset.offset(1e-12));
    RewardInput wrongShort =
        new RewardInput("", "x", null, Map.of("correct", false, "completion_tokens", 0));
    assertThat(c.score(wrongShort).value()).isEqualTo(-1.0);
  }

  @Test
  void softOverlongIsLinearInTheCache() {
    SoftOverlongPenalty p =
        SoftOverlongPenalty.from(
            RewardParams.of(Map.of("max_completion_len", 100, "soft_punish_cache", 20)),
            TokenCounter.approximate());
    assertThat(p.penalty(80)).isZero();
    assertThat(p.penalty(90)).isEqualTo(-0.5);
    assertThat(p.penalty(100)).isEqualTo(-1.0);
    assertThat(p.penalty(101)).isEqualTo(-1.0);
  }

  @Test
  void approximateCounterCountsWordsAndCjkCharacters() {
    assertThat(TokenCounter.approximate().count("hello world 你好吗")).isEqualTo(5);
    SoftOverlongPenalty p =
        SoftOverlongPenalty.from(
            RewardParams.of(Map.of("max_completion_len", 4, "soft_punish_cache", 2)),
            TokenCounter.approximate());
    // 3 tokens: (2 - 3) / 2
    assertThat(p.score(RewardInput.of("a b c", null)).value()).isEqualTo(-0.5);
  }

  @Test
  void softOverlongRequiresItsParams() {
    assertThatThrownBy(
            () ->
                SoftOverlongPenalty.from(
                    RewardParams.of(Map.of("max_completion_len", 100)), TokenCounter.approximate()))
        .hasMessage("params.soft_punish_cache is required");
  }
}
