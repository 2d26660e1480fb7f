package dev.r1.reward.math;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;

/** Agreement with Math-Verify's own test cases (fixtures/rewards/math_equivalence_cases.jsonl). */
class MathEquivalenceFixtureTest {

  /** Maps a case's Math-Verify configuration onto our extraction options. */
  static AccuracyOptions optionsFor(JsonNode c) {
    JsonNode config = c.path("config");
    List<String> types = new ArrayList<>();
    config.path("match_types").forEach(t -> types.add(t.asText()));
    AccuracyOptions o = AccuracyOptions.defaults().withRequireAnswerOutsideThink(false);
    if (types.contains("NativeLetters")) {
      o = o.withExtraction(false, false, true);
    } else if (types.isEmpty()) {
      o = o.withExtraction(true, true, true); // default parse(): latex + expr
    } else {
      o =
          o.withExtraction(
              types.contains("latex"), types.contains("expr"), types.contains("latex"));
    }
    if (config.has("precision")) {
      o = o.withPrecision(config.get("precision").asInt());
    }
    return o;
  }

  @Test
  void agreesWithAtLeast95PercentOfMathVerifyCases() throws Exception {
    List<JsonNode> cases =
        Fixtures.jsonl(Fixtures.fixtures().resolve("rewards/math_equivalence_cases.jsonl"));
    assertThat(cases).hasSizeGreaterThan(100);
    int agree = 0;
    Map<String, List<String>> misses = new TreeMap<>();
    for (int i = 0; i < cases.size(); i++) {
      JsonNode c = cases.get(i);
      String gold = c.get("gold").asText();
      String pred = c.get("pred").asText();
      boolean expected = c.get("expected").asBoolean();
      MathEquivalence.Verdict v = MathEquivalence.verify(gold, pred, optionsFor(c));
      if (v.equivalent() == expected) {
        agree++;
      } else {
        String category = c.path("categories_heuristic").path(0).asText("other");
        misses
            .computeIfAbsent(category, k -> new ArrayList<>())
            .add(
                "#"
                    + i
                    + " "
                    + c.path("test").asText()
                    + " expected="
                    + expected
                    + " gold="
                    + MathEquivalence.shorten(gold)
                    + " pred="
                    + MathEquivalence.shorten(pred)
                    + " | "
                    + v.detail());
      }
    }
    double rate = agree / (double) cases.size();
    System.out.printf("Math-Verify fixture agreement: %d/%d = %.4f%n", agree, cases.size(), rate);
    misses.forEach(
        (cat, list) -> {
          System.out.println("  misses in " + cat + " (" + list.size() + "):");
          list.forEach(m -> System.out.println("    " + m));
        });
    assertThat(rate).isGreaterThanOrEqualTo(0.95);
  }
}
