package dev.r1.reward.math;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardResult;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Accuracy reward on the real benchmark files in r1.data/benchmarks. */
class BenchmarkDataTest {

  private final AccuracyReward reward = new AccuracyReward();

  private static String gsmFinal(String solution) {
    String tail = solution.substring(solution.lastIndexOf("####") + 4).trim();
    return tail.replace(",", "");
  }

  @Test
  void everyGsm8kSolutionScoresOneAgainstItselfAndZeroAgainstADifferentAnswer() throws Exception {
    List<JsonNode> rows = Fixtures.jsonl(Fixtures.data().resolve("benchmarks/gsm8k_test.jsonl"));
    assertThat(rows).hasSize(1319);
    List<String> failures = new ArrayList<>();
    int negatives = 0;
    for (int i = 0; i < rows.size(); i++) {
      String solution = rows.get(i).get("answer").asText();
      RewardResult own = reward.score(RewardInput.of(solution, solution));
      if (own.value() != 1.0) {
        failures.add("row " + i + " own: " + own.detail());
      }
      String other = rows.get((i + 1) % rows.size()).get("answer").asText();
      if (!gsmFinal(other).equals(gsmFinal(solution))) {
        negatives++;
        RewardResult cross = reward.score(RewardInput.of(solution, other));
        if (cross.value() != 0.0) {
          failures.add("row " + i + " vs next: " + cross.detail());
        }
      }
    }
    assertThat(failures).isEmpty();
    assertThat(negatives).isGreaterThan(1200);
  }

  @Test
  void gsm8kAnswersWithThousandsSeparatorsMatchPlainIntegers() {
    assertThat(
            reward
                .score(RewardInput.of("So the total is \\boxed{2125}.", "... #### 2,125"))
                .value())
        .isEqualTo(1.0);
    assertThat(reward.score(RewardInput.of("The answer is 2,125.", "#### 2125")).value())
        .isEqualTo(1.0);
    assertThat(reward.score(RewardInput.of("\\boxed{-3}", "#### -3")).value()).isEqualTo(1.0);
    assertThat(reward.score(RewardInput.of("\\boxed{3}", "#### -3")).value()).isEqualTo(0.0);
  }

  @Test
  void boxedMath500AnswersMatchTheirOwnGoldAtLeast98Percent() throws Exception {
    List<JsonNode> rows = Fixtures.jsonl(Fixtures.data().resolve("benchmarks/math500_test.jsonl"));
    assertThat(rows).hasSize(500);
    int ok = 0;
    int solutionOk = 0;
    List<String> misses = new ArrayList<>();
    for (JsonNode row : rows) {
      String answer = row.get("answer").asText();
      RewardResult r =
          reward.score(
              RewardInput.of("<think>work</think> So it is $\\boxed{" + answer + "}$.", answer));
      if (r.value() == 1.0) {
        ok++;
      } else {
        misses.add(row.get("unique_id").asText() + ": " + answer + " | " + r.detail());
      }
      RewardResult s = reward.score(RewardInput.of(row.get("solution").asText(), answer));
      if (s.value() == 1.0) {
        solutionOk++;
      }
    }
    System.out.println(
        "MATH-500 boxed own answer: " + ok + "/500; reference solution: " + solutionOk + "/500");
    misses.forEach(m -> System.out.println("  miss " + m));
    assertThat(ok / 500.0).isGreaterThanOrEqualTo(0.98);
    assertThat(solutionOk / 500.0).isGreaterThanOrEqualTo(0.95);
  }

  @Test
  void aimeAnswersWithLeadingZerosAllMatch() throws Exception {
    List<JsonNode> rows = Fixtures.jsonl(Fixtures.data().resolve("benchmarks/aime24_test.jsonl"));
    assertThat(rows).hasSize(30);
    int leadingZeros = 0;
    for (JsonNode row : rows) {
      String answer = row.get("answer").asText();
      String plain = String.valueOf(Integer.parseInt(answer));
      if (!plain.equals(answer)) {
        leadingZeros++;
      }
      assertThat(reward.score(RewardInput.of("</think>\\boxed{" + plain + "}", answer)).value())
          .as("gold %s vs %s", answer, plain)
          .isEqualTo(1.0);
      assertThat(reward.score(RewardInput.of("</think>\\boxed{" + answer + "}", plain)).value())
          .as("gold %s vs %s", plain, answer)
          .isEqualTo(1.0);
      assertThat(
              reward
                  .score(
                      RewardInput.of(
                          "</think>\\boxed{" + (Integer.parseInt(plain) + 1) + "}", answer))
                  .value())
          .isEqualTo(0.0);
    }
    assertThat(leadingZeros).isEqualTo(7);
  }
}
