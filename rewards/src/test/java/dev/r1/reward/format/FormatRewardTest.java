package dev.r1.reward.format;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardParams;
import java.util.Map;
import org.junit.jupiter.api.Test;

class FormatRewardTest {

  private static double score(FormatReward f, String s) {
    return f.score(RewardInput.of(s, null)).value();
  }

  private final FormatReward dflt = new FormatReward();
  private final FormatReward tags =
      new FormatReward(
          FormatReward.Options.from(RewardParams.of(Map.of("require_answer_tags", true))));

  @Test
  void acceptsR1LayoutWithAndWithoutAnswerTags() {
    assertThat(score(dflt, "<think>\nreason\n</think>\nThe answer is 4.")).isEqualTo(1.0);
    assertThat(score(dflt, "<think>\nreason\n</think>\n<answer>4</answer>\n")).isEqualTo(1.0);
    assertThat(score(tags, "<think>\nreason\n</think>\n<answer>\n4\n</answer>")).isEqualTo(1.0);
  }

  @Test
  void requiresAnswerTagsWhenConfigured() {
    assertThat(score(tags, "<think>\nreason\n</think>\nThe answer is 4.")).isZero();
  }

  @Test
  void rejectsNestedThinkBlocks() {
    assertThat(score(dflt, "<think>\na <think>\nb\n</think>\n</think>\n4")).isZero();
  }

  @Test
  void rejectsRepeatedThinkBlocks() {
    assertThat(score(dflt, "<think>\na\n</think>\n<think>\nb\n</think>\n4")).isZero();
    assertThat(score(dflt, "<think>\na\n</think>\n4 </think>")).isZero();
  }

  @Test
  void rejectsUnclosedBlocks() {
    assertThat(score(dflt, "<think>\nstill thinking")).isZero();
    assertThat(score(dflt, "<think>\na\n</think>\n<answer>4")).isZero();
  }

  @Test
  void rejectsTextAfterAnswer() {
    assertThat(score(dflt, "<think>\na\n</think>\n<answer>4</answer>\nand more")).isZero();
    assertThat(score(dflt, "<think>\na\n</think>\n<answer>4</answer><answer>5</answer>")).isZero();
  }

  @Test
  void rejectsNestedAnswerAndAnswerInsideThink() {
    assertThat(score(dflt, "<think>\na\n</think>\n<answer>4<answer>5</answer></answer>")).isZero();
    assertThat(score(dflt, "<think>\n<answer>4</answer>\n</think>\nok")).isZero();
  }

  @Test
  void rejectsEmptyAnswerAndMissingNewlines() {
    assertThat(score(dflt, "<think>\na\n</think>\n   ")).isZero();
    assertThat(score(dflt, "<think>a</think>\n4")).isZero();
    FormatReward relaxed =
        new FormatReward(
            FormatReward.Options.from(RewardParams.of(Map.of("require_newlines", false))));
    assertThat(score(relaxed, "<think>a</think>4")).isEqualTo(1.0);
  }

  @Test
  void acceptsPrefilledThinkOpening() {
    FormatReward pre =
        new FormatReward(
            FormatReward.Options.from(RewardParams.of(Map.of("think_prefilled", true))));
    assertThat(score(pre, "reasoning\n</think>\n4")).isEqualTo(1.0);
    assertThat(score(pre, "<think>\nreasoning\n</think>\n4")).isZero();
  }

  @Test
  void tagCountGivesAQuarterPerTag() {
    TagCountReward t = new TagCountReward();
    assertThat(
            t.score(RewardInput.of("<think>\na\n</think>\n<answer>\nb\n</answer>", null)).value())
        .isEqualTo(1.0);
    assertThat(t.score(RewardInput.of("<think>\na\n</think>\nb", null)).value()).isEqualTo(0.5);
    // a tag present twice does not count
    assertThat(t.score(RewardInput.of("<think>\n<think>\na\n</think>\n", null)).value())
        .isEqualTo(0.25);
  }

  @Test
  void reasoningStepsCountsMarkersUpToThree() {
    ReasoningStepsReward r = new ReasoningStepsReward(3);
    assertThat(r.score(RewardInput.of("Step 1: a\nStep 2: b", null)).value()).isEqualTo(2 / 3.0);
    assertThat(r.score(RewardInput.of("1. a\n2. b\n- c\n* d", null)).value()).isEqualTo(1.0);
    // only the very first "N." counts (the pattern has ^ without MULTILINE)
    assertThat(ReasoningStepsReward.countSteps("x\n1. a\n2. b")).isZero();
  }
}
