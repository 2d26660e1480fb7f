package dev.r1.reward.math;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

class AccuracyRewardTest {

  private final AccuracyReward reward = new AccuracyReward();

  private double score(String completion, String reference) {
    return reward.score(RewardInput.of(completion, reference)).value();
  }

  @Test
  void isNamedAccuracy() {
    assertThat(reward.name()).isEqualTo("accuracy");
  }

  @Test
  void rewardsAnswerAfterThinkAndIgnoresAnswersInsideThink() {
    assertThat(score("<think>maybe \\boxed{5}</think><answer>\\boxed{7}</answer>", "7"))
        .isEqualTo(1);
    assertThat(score("<think>it is \\boxed{7}</think> so \\boxed{5}", "7")).isEqualTo(0);
    assertThat(score("<think>it is \\boxed{7}</think> I am not sure.", "7")).isEqualTo(0);
  }

  @Test
  void unclosedThinkBlockGivesNoAnswer() {
    RewardResult r = reward.score(RewardInput.of("<think>the answer is \\boxed{7}", "7"));
    assertThat(r.value()).isZero();
    assertThat(r.status()).isEqualTo(RewardResult.Status.OK);
    assertThat(r.detail()).contains("never closed");
  }

  @Test
  void thinkRuleCanBeSwitchedOff() {
    AccuracyReward loose =
        new AccuracyReward(AccuracyOptions.from(Map.of("require_answer_outside_think", false)));
    assertThat(loose.score(RewardInput.of("<think>so \\boxed{7}", "7")).value()).isEqualTo(1);
  }

  @Test
  void extractsAnswerTagsGsm8kHashesAndAnswerPhrases() {
    assertThat(score("</think><answer> 1,234 </answer>", "#### 1234")).isEqualTo(1);
    assertThat(score("</think>work...\n#### 72", "72")).isEqualTo(1);
    assertThat(score("</think>So the answer is $\\frac{3}{4}$.", "0.75")).isEqualTo(1);
    assertThat(score("</think>Answer: 15", "15")).isEqualTo(1);
    assertThat(score("</think>The final answer is 12. I hope it is correct.", "12")).isEqualTo(1);
  }

  @Test
  void detailNamesWhatWasExtracted() {
    RewardResult r = reward.score(RewardInput.of("</think>\\boxed{\\dfrac{1}{2}}", "0.5"));
    assertThat(r.value()).isEqualTo(1);
    assertThat(r.detail()).contains("\\dfrac{1}{2}").contains("boxed");
    RewardResult miss = reward.score(RewardInput.of("</think>\\boxed{3}", "4"));
    assertThat(miss.value()).isZero();
    assertThat(miss.detail()).contains("'3'").contains("'4'");
  }

  @Test
  void finalNumberFallbackOnlyWhenConfigured() {
    assertThat(score("</think>After all that we get 42 apples total", "42")).isZero();
    AccuracyReward fallback =
        new AccuracyReward(AccuracyOptions.from(Map.of("last_number_fallback", true)));
    assertThat(fallback.score(RewardInput.of("</think>we get 42 apples total", "42")).value())
        .isEqualTo(1);
  }

  @Test
  void multipleChoiceLetters() {
    assertThat(score("</think>The answer is (B).", "B")).isEqualTo(1);
    assertThat(score("</think>\\boxed{\\text{(C)}}", "\\text{(C)}")).isEqualTo(1);
    assertThat(score("</think>answer is C", "B")).isZero();
  }

  @Test
  void missingReferenceIsAnError() {
    RewardResult r = reward.score(new RewardInput("", "\\boxed{1}", null, Map.of()));
    assertThat(r.status()).isEqualTo(RewardResult.Status.ERROR);
    assertThat(r.detail()).contains("reference");
  }

  @Test
  void optionsRejectUnknownKeysByName() {
    assertThatThrownBy(() -> AccuracyOptions.from(Map.of("precison", 3, "latex", true)))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("precison");
    assertThatThrownBy(() -> AccuracyOptions.from(Map.of("precision", "x")))
        .hasMessageContaining("precision");
    assertThat(AccuracyOptions.from(Map.of("precision", 3, "timeout_ms", 500)))
        .extracting(AccuracyOptions::precision, AccuracyOptions::timeoutMillis)
        .containsExactly(3, 500L);
  }
}
