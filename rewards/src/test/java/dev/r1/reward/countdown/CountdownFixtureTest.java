package dev.r1.reward.countdown;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.reward.Fixtures;
import dev.r1.reward.RewardInput;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.assertj.core.api.SoftAssertions;
import org.junit.jupiter.api.Test;

/** Every case of TinyZero's countdown rules in the shared fixture. */
class CountdownFixtureTest {

  private static final List<Map<String, Object>> CASES = Fixtures.rewards("countdown_cases.jsonl");

  @Test
  void fixtureHasAllFourFunctions() {
    assertThat(CASES).hasSize(51);
    assertThat(CASES.stream().map(c -> c.get("function")).distinct())
        .containsExactlyInAnyOrder(
            "compute_score", "extract_solution", "validate_equation", "evaluate_equation");
  }

  @Test
  @SuppressWarnings("unchecked")
  void reproducesEveryFixtureCase() {
    SoftAssertions soft = new SoftAssertions();
    int checked = 0;
    for (int i = 0; i < CASES.size(); i++) {
      Map<String, Object> c = CASES.get(i);
      String at = "case " + i + " " + c.get("function");
      switch ((String) c.get("function")) {
        case "compute_score" -> {
          Map<String, Object> gt = (Map<String, Object>) c.get("ground_truth");
          double format = ((Number) c.getOrDefault("format_score", 0.1)).doubleValue();
          double score = ((Number) c.getOrDefault("score", 1.0)).doubleValue();
          CountdownReward r = new CountdownReward(format, score, true);
          RewardInput in =
              new RewardInput(
                  "",
                  (String) c.get("solution_str"),
                  null,
                  Map.of("target", gt.get("target"), "numbers", gt.get("numbers")));
          soft.assertThat(r.score(in).value())
              .as(at)
              .isEqualTo(((Number) c.get("expected")).doubleValue());
        }
        case "extract_solution" -> {
          String response = CountdownReward.response((String) c.get("solution_str"));
          String got = response == null ? null : CountdownReward.extractAnswer(response);
          soft.assertThat(got).as(at).isEqualTo(c.get("expected"));
        }
        case "validate_equation" -> {
          List<BigInteger> nums = new ArrayList<>();
          for (Object o : (List<Object>) c.get("available_numbers")) {
            nums.add(BigInteger.valueOf(((Number) o).longValue()));
          }
          nums.sort(null);
          soft.assertThat(CountdownReward.usesNumbersExactly((String) c.get("equation_str"), nums))
              .as(at)
              .isEqualTo(c.get("expected"));
        }
        case "evaluate_equation" -> {
          String eq = (String) c.get("equation_str");
          Double got;
          try {
            got = CountdownReward.allowedChars(eq) ? Arithmetic.eval(eq).asDouble() : null;
          } catch (Arithmetic.EvalException e) {
            got = null;
          }
          Object exp = c.get("expected");
          soft.assertThat(got).as(at).isEqualTo(exp == null ? null : ((Number) exp).doubleValue());
        }
        default -> soft.fail("unknown function in " + at);
      }
      checked++;
    }
    soft.assertAll();
    assertThat(checked).isEqualTo(51);
  }

  @Test
  void completionWithoutMarkerScoresWhenMarkerNotRequired() {
    CountdownReward r = new CountdownReward(0.1, 1.0, false);
    RewardInput in =
        new RewardInput(
            "",
            "<think>ok</think>\n<answer>(5+3)*2</answer>",
            null,
            Map.of("target", 16, "numbers", List.of(5, 3, 2)));
    assertThat(r.score(in).value()).isEqualTo(1.0);
    RewardInput ref =
        new RewardInput("", "<answer>5*3</answer>", "{\"target\":15,\"numbers\":[3,5]}", Map.of());
    assertThat(r.score(ref).value()).isEqualTo(1.0);
  }

  @Test
  void evaluatesPythonArithmeticSemantics() throws Exception {
    assertThat(Arithmetic.eval("7//2").asDouble()).isEqualTo(3.0);
    assertThat(Arithmetic.eval("-7//2").asDouble()).isEqualTo(-4.0);
    assertThat(Arithmetic.eval("-2**2").asDouble()).isEqualTo(-4.0);
    assertThat(Arithmetic.eval("2**3**2").asDouble()).isEqualTo(512.0);
    assertThat(Arithmetic.eval("2**-1").asDouble()).isEqualTo(0.5);
    assertThat(Arithmetic.eval("5--3").asDouble()).isEqualTo(8.0);
  }

  @Test
  void rejectsHugePowersAndDeepNestingQuickly() {
    long t0 = System.nanoTime();
    for (String bad :
        List.of("9**9**9**9", "(".repeat(5000) + "1" + ")".repeat(5000), "05+3", "5 3", "(5)(3)")) {
      org.assertj.core.api.Assertions.assertThatThrownBy(() -> Arithmetic.eval(bad))
          .isInstanceOf(Arithmetic.EvalException.class);
    }
    assertThat((System.nanoTime() - t0) / 1e9).isLessThan(1.0);
  }
}
