package dev.r1.training.eval;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.training.eval.LanguageCheck.Language;
import org.junit.jupiter.api.Test;

class LanguageCheckTest {

  @Test
  void scoresTheThinkBlocksWords() {
    assertThat(LanguageCheck.share("<think>add the digits</think>5", Language.ENGLISH))
        .isEqualTo(1.0);
    assertThat(LanguageCheck.share("<think>add 数 carry 位</think>5", Language.ENGLISH))
        .isEqualTo(0.5);
    assertThat(LanguageCheck.consistent("<think>先加 digits</think>", Language.ENGLISH)).isFalse();
    assertThat(LanguageCheck.consistent("<think>先加个位</think>", Language.CHINESE)).isTrue();
  }

  @Test
  void reasoningWithoutWordsIsConsistent() {
    assertThat(
            LanguageCheck.consistent(
                "<think>\n7+8=15\n</think>\n<answer>85</answer>", Language.ENGLISH))
        .isTrue();
    assertThat(LanguageCheck.consistent("Привет мир", Language.ENGLISH)).isFalse();
  }
}
