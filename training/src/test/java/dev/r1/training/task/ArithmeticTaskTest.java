package dev.r1.training.task;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.r1.reward.RewardInput;
import dev.r1.reward.format.FormatReward;
import dev.r1.reward.math.AccuracyReward;
import java.util.EnumSet;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class ArithmeticTaskTest {

  @Test
  void trainAndHeldOutNeverOverlapWhateverTheSeed() {
    Set<String> held = new HashSet<>();
    for (TaskRow r : ArithmeticTask.of(2, 1).heldOut(300)) {
      held.add(r.question());
    }
    for (long seed : new long[] {1, 2, 99}) {
      for (TaskRow r : ArithmeticTask.of(2, seed).train(3000)) {
        assertThat(held).doesNotContain(r.question());
      }
    }
  }

  @Test
  void sameSeedGivesSameRowsAndRowsAreDistinct() {
    List<TaskRow> a = ArithmeticTask.of(3, 5).train(500);
    assertThat(ArithmeticTask.of(3, 5).train(500)).isEqualTo(a);
    assertThat(ArithmeticTask.of(3, 6).train(500)).isNotEqualTo(a);
    assertThat(a.stream().map(TaskRow::promptId).distinct().count()).isEqualTo(500);
  }

  @Test
  void answersAreTheSumOrNonNegativeDifference() {
    for (TaskRow r : ArithmeticTask.of(3, 4).train(400)) {
      String q = r.question();
      int plus = q.indexOf('+');
      int minus = q.indexOf('-');
      long a = Long.parseLong(q.substring(0, Math.max(plus, minus)));
      long b = Long.parseLong(q.substring(Math.max(plus, minus) + 1));
      long expected = plus > 0 ? a + b : a - b;
      assertThat(a).as(q).isBetween(100L, 999L);
      assertThat(b).as(q).isBetween(100L, 999L);
      assertThat(Long.parseLong(r.answer())).as(q).isEqualTo(expected).isNotNegative();
    }
  }

  @Test
  void stepsShowCarriesAndBorrowsDigitByDigit() {
    assertThat(ArithmeticTask.solution(new TaskRow("x", "47+38", "85"), solutionSteps()))
        .isEqualTo("<think>\n7+8=15\n4+3+1=8\n</think>\n<answer>85</answer>");
    assertThat(ArithmeticTask.solution(new TaskRow("x", "99+19", "118"), solutionSteps()))
        .isEqualTo("<think>\n9+9=18\n9+1+1=11\n</think>\n<answer>118</answer>");
    assertThat(ArithmeticTask.solution(new TaskRow("x", "52-38", "14"), solutionSteps()))
        .isEqualTo("<think>\n12-8=4\n5-1-3=1\n</think>\n<answer>14</answer>");
    assertThat(
            ArithmeticTask.solution(
                new TaskRow("x", "52-38", "14"), ArithmeticTask.SolutionStyle.RESTATE))
        .isEqualTo("<think>\n52-38\n</think>\n<answer>14</answer>");
  }

  @Test
  void referenceSolutionsEarnFullFormatAndAccuracyRewards() {
    FormatReward format = new FormatReward(new FormatReward.Options(true, true, false, null));
    AccuracyReward accuracy = new AccuracyReward();
    for (TaskRow r :
        new ArithmeticTask(2, EnumSet.allOf(ArithmeticTask.Op.class), 10, 3).train(50)) {
      RewardInput in = RewardInput.of(ArithmeticTask.solution(r, solutionSteps()), r.answer());
      assertThat(format.score(in).value()).as(r.question()).isEqualTo(1.0);
      assertThat(accuracy.score(in).value()).as(r.question()).isEqualTo(1.0);
      RewardInput wrong = RewardInput.of("<think>\nx\n</think>\n<answer>-1</answer>", r.answer());
      assertThat(accuracy.score(wrong).value()).isZero();
    }
  }

  @Test
  void rejectsSplitRequestsLargerThanTheProblemSpace() {
    assertThatThrownBy(() -> ArithmeticTask.of(1, 1).heldOut(50))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessageContaining("held-out");
    assertThatThrownBy(() -> new ArithmeticTask(7, EnumSet.of(ArithmeticTask.Op.ADD), 10, 1))
        .hasMessageContaining("digits");
  }

  @Test
  void chatPromptsRenderSystemAndUserTurnsThenOpenTheAssistantTurn() {
    assertThat(ChatPrompts.r1ChatMl().render("1+2"))
        .isEqualTo(
            "<|im_start|>system\n"
                + ChatPrompts.R1_SYSTEM_PROMPT
                + "<|im_end|>\n<|im_start|>user\n1+2<|im_end|>\n<|im_start|>assistant\n");
  }

  private static ArithmeticTask.SolutionStyle solutionSteps() {
    return ArithmeticTask.SolutionStyle.STEPS;
  }
}
