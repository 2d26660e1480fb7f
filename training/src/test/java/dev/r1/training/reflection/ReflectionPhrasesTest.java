package dev.r1.training.reflection;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class ReflectionPhrasesTest {

  @Test
  void findsWholeWordPhrasesCaseInsensitively() {
    assertThat(ReflectionPhrases.reflects("<think>7+8=15. Wait, carry the 1.</think>")).isTrue();
    assertThat(ReflectionPhrases.reflects("Let me  check: 4+3+1=8")).isTrue();
    assertThat(ReflectionPhrases.reflects("I need to re-evaluate this")).isTrue();
    assertThat(ReflectionPhrases.reflects("await the result; the waiter")).isFalse();
    assertThat(ReflectionPhrases.reflects("7+8=15")).isFalse();
    assertThat(ReflectionPhrases.count("Wait. wait, let me verify. Hmm")).isEqualTo(4);
  }

  @Test
  void rateIsTheShareOfTextsWithAPhrase() {
    assertThat(ReflectionPhrases.rate(List.of("wait", "no", "let me check", "x"))).isEqualTo(0.5);
    assertThat(ReflectionPhrases.rate(List.of())).isZero();
  }
}
