package dev.r1.training.eval;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.within;

import java.util.Arrays;
import java.util.List;
import org.junit.jupiter.api.Test;

class EvaluatorTest {

  @Test
  void passAtKMatchesTheCombinatorialFormula() {
    // 1 - C(n-c, k) / C(n, k)
    assertThat(Evaluator.passAtK(5, 1, 1)).isCloseTo(0.2, within(1e-12));
    assertThat(Evaluator.passAtK(10, 3, 2)).isCloseTo(1 - 21.0 / 45.0, within(1e-12));
    assertThat(Evaluator.passAtK(10, 3, 5)).isCloseTo(1 - 21.0 / 252.0, within(1e-12));
    assertThat(Evaluator.passAtK(16, 0, 4)).isZero();
    assertThat(Evaluator.passAtK(4, 2, 3)).isEqualTo(1.0); // n - c < k
    assertThat(Evaluator.passAtK(8, 8, 8)).isEqualTo(1.0);
    assertThatThrownBy(() -> Evaluator.passAtK(4, 5, 1)).hasMessageContaining("c=5");
    assertThatThrownBy(() -> Evaluator.passAtK(4, 1, 5)).hasMessageContaining("k=5");
  }

  @Test
  void passAtOneIsTheShareOfCorrectSamples() {
    for (int c = 0; c <= 7; c++) {
      assertThat(Evaluator.passAtK(7, c, 1)).isCloseTo(c / 7.0, within(1e-12));
    }
  }

  @Test
  void majorityVoteTiesGoToTheAnswerThatReachedTheTopCountFirst() {
    assertThat(Evaluator.majority(List.of("3", "5", "5", "3"))).contains("5");
    assertThat(Evaluator.majority(List.of("3", "5", "3", "5"))).contains("3");
    assertThat(Evaluator.majority(List.of("7", "8", "9"))).contains("7");
    assertThat(Evaluator.majority(Arrays.asList(null, "2", null, null))).contains("2");
    assertThat(Evaluator.majority(Arrays.asList(null, null))).isEmpty();
    assertThat(Evaluator.majority(List.of("1", "2", "2", "1", "1"))).contains("1");
  }

  @Test
  void extractsAndNormalisesTheFinalAnswer() {
    assertThat(Evaluator.extractAnswer("<think>\n1+1\n</think>\n<answer> +0,042 </answer>"))
        .isEqualTo("42");
    assertThat(Evaluator.extractAnswer("<think>\nx\n</think>\n17")).isEqualTo("17");
    assertThat(Evaluator.extractAnswer("<think>\nnever closed <answer>3</answer>")).isNull();
    assertThat(Evaluator.extractAnswer("<think>\nx\n</think>\n<answer></answer>")).isNull();
    assertThat(Evaluator.extractAnswer("<answer>1/2</answer>")).isEqualTo("1/2");
  }
}
