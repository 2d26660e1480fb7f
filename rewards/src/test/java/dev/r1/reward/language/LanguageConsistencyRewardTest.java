package dev.r1.reward.language;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardParams;
import dev.r1.reward.RewardResult;
import java.util.Map;
import org.junit.jupiter.api.Test;

class LanguageConsistencyRewardTest {

  private static RewardResult score(String lang, String completion) {
    return LanguageConsistencyReward.from(RewardParams.of(Map.of("language", lang)))
        .score(RewardInput.of(completion, null));
  }

  @Test
  void englishChainOfThoughtInEnglishScoresOne() {
    assertThat(score("en", "<think>\nLet me add the numbers: 3 + 4 = 7.\n</think>\n7").value())
        .isEqualTo(1.0);
  }

  @Test
  void chineseChainOfThoughtCountsEachCharacterAsAWord() {
    // 我们计算 = 4 Han words; numbers and $x^2$ are ignored
    RewardResult r = score("zh", "<think>我们计算 3+4 $x^2$</think>答案 7");
    assertThat(r.value()).isEqualTo(1.0);
    assertThat(score("en", "<think>我们计算 3+4</think>7").value()).isZero();
  }

  @Test
  void mixedChainOfThoughtScoresTheTargetShare() {
    // 7 Han characters (我们先计算, 然后), 2 English words (Let, compute); single letter x ignored
    String c = "<think>我们先计算 Let compute x 然后</think>ok";
    assertThat(score("zh", c).value()).isEqualTo(7 / 9.0);
    assertThat(score("en", c).value()).isEqualTo(2 / 9.0);
  }

  @Test
  void onlyTheThinkBlockCounts() {
    assertThat(score("en", "<think>\nall english here\n</think>\n全部是中文的答案").value()).isEqualTo(1.0);
  }

  @Test
  void metadataLanguageOverridesTheParam() {
    LanguageConsistencyReward r =
        LanguageConsistencyReward.from(RewardParams.of(Map.of("language", "en")));
    RewardInput in = new RewardInput("", "<think>中文思考</think>x", null, Map.of("language", "zh"));
    assertThat(r.score(in).value()).isEqualTo(1.0);
  }

  @Test
  void otherScriptsCountAgainstBothTargets() {
    // Russian word, English word
    assertThat(score("en", "<think>привет hello</think>x").value()).isEqualTo(0.5);
  }

  @Test
  void noThinkBlockOrNoWordsScoresZero() {
    assertThat(score("en", "no tags at all").value()).isZero();
    assertThat(score("en", "<think>1 + 2 = 3</think>3").detail()).contains("no words");
  }

  @Test
  void rejectsUnknownLanguage() {
    assertThatThrownBy(
            () -> LanguageConsistencyReward.from(RewardParams.of(Map.of("language", "xx"))))
        .hasMessageContaining("params.language");
  }
}
