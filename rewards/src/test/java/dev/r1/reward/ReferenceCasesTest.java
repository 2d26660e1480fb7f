package dev.r1.reward;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.assertj.core.api.SoftAssertions;
import org.assertj.core.data.Offset;
import org.junit.jupiter.api.Test;

/**
 * The open-r1 and TRL reward test cases (shared fixtures), one test per reward family: where we
 * agree the values must be equal; where we are stricter on purpose the test asserts our value and
 * says why. Accuracy cases (accuracy_reward, reasoning_accuracy_reward) belong to the accuracy
 * reward (dev.r1.reward.math, another branch) and are not checked here.
 */
class ReferenceCasesTest {

  private static final String OPEN_R1 = "open_r1_reward_cases.jsonl";
  private static final String TRL = "trl_reward_cases.jsonl";
  private static final RewardRegistry REGISTRY = RewardRegistry.builtins();

  private static RewardFunction fn(String name, Map<String, Object> params) {
    return REGISTRY.create(name, RewardParams.of(params));
  }

  private static String completion(Map<String, Object> c) {
    return (String) c.get("completion");
  }

  /** "correct" for the length rewards: the gold answer appears verbatim (true of these cases). */
  private static boolean containsGold(Map<String, Object> c) {
    return completion(c).contains((String) c.get("solution"));
  }

  /** Expected value: the fixture's, or the last number of its "by formula" note. */
  private static double expected(Map<String, Object> c) {
    if (c.get("expected") instanceof Number n) {
      return n.doubleValue();
    }
    Matcher m = Pattern.compile("(-?\\d+(?:\\.\\d+)?)\\s*$").matcher(String.valueOf(c.get("note")));
    if (!m.find()) {
      throw new AssertionError("case without expected value or formula note: " + c);
    }
    return Double.parseDouble(m.group(1));
  }

  @Test
  void fixturesListTheFamiliesWeCover() {
    assertThat(Fixtures.rewards(OPEN_R1).stream().map(c -> c.get("reward")).distinct())
        .containsExactlyInAnyOrder(
            "accuracy_reward",
            "format_reward",
            "reasoning_steps_reward",
            "cosine_scaled_reward",
            "len_reward",
            "repetition_penalty_reward",
            "get_repetition_penalty_reward(factory)",
            "tag_count_reward",
            "soft_overlong_punishment_reward",
            "code_format_reward");
    assertThat(Fixtures.rewards(TRL).stream().map(c -> c.get("reward")).distinct())
        .containsExactlyInAnyOrder(
            "think_format_reward",
            "accuracy_reward",
            "reasoning_accuracy_reward",
            "cosine_scaled_reward",
            "soft_overlong_punishment_reward",
            "repetition_penalty_reward(token_ids)",
            "get_repetition_penalty_reward(factory)");
  }

  @Test
  void openR1FormatRewardAgrees() {
    RewardFunction f = fn("format", Map.of("require_answer_tags", true));
    List<Map<String, Object>> cases = Fixtures.cases(OPEN_R1, "format_reward");
    assertThat(cases).hasSize(7);
    for (Map<String, Object> c : cases) {
      assertThat(f.score(RewardInput.of(completion(c), null)).value())
          .as(completion(c))
          .isEqualTo(expected(c));
    }
  }

  @Test
  void openR1FormatIsStricterAboutTextAfterTheAnswer() {
    // open-r1's pattern ends in "$" under re.MULTILINE, so a line after </answer> still matches
    // (score 1); trailing text is where reward hacks hide, so we score it 0.
    RewardFunction f = fn("format", Map.of("require_answer_tags", true));
    String s = "<think>\nSome reasoning\n</think>\n<answer>\nThe answer\n</answer>\nP.S. more";
    assertThat(f.score(RewardInput.of(s, null)).value()).isZero();
  }

  @Test
  void openR1CodeFormatRewardAgrees() {
    List<Map<String, Object>> cases = Fixtures.cases(OPEN_R1, "code_format_reward");
    assertThat(cases).hasSize(10);
    for (Map<String, Object> c : cases) {
      String lang = (String) Fixtures.kwargs(c).get("language");
      RewardFunction f = fn("format", Map.of("require_answer_tags", true, "code_language", lang));
      assertThat(f.score(RewardInput.of(completion(c), null)).value())
          .as(completion(c))
          .isEqualTo(expected(c));
    }
  }

  @Test
  void openR1TagCountRewardAgrees() {
    RewardFunction f = fn("tag_count", Map.of());
    List<Map<String, Object>> cases = Fixtures.cases(OPEN_R1, "tag_count_reward");
    assertThat(cases).hasSize(6);
    for (Map<String, Object> c : cases) {
      assertThat(f.score(RewardInput.of(completion(c), null)).value()).isEqualTo(expected(c));
    }
  }

  @Test
  void openR1ReasoningStepsRewardAgrees() {
    RewardFunction f = fn("reasoning_steps", Map.of());
    List<Map<String, Object>> cases = Fixtures.cases(OPEN_R1, "reasoning_steps_reward");
    assertThat(cases).hasSize(5);
    for (Map<String, Object> c : cases) {
      assertThat(f.score(RewardInput.of(completion(c), null)).value())
          .isCloseTo(expected(c), Offset.offset(1e-7));
    }
  }

  @Test
  void openR1CosineScaledRewardAgrees() {
    List<Map<String, Object>> cases = Fixtures.cases(OPEN_R1, "cosine_scaled_reward");
    assertThat(cases).hasSize(4);
    for (Map<String, Object> c : cases) {
      Map<String, Object> params = new HashMap<>(Fixtures.kwargs(c));
      params.put("unit", "chars"); // open-r1 measures len(content)
      RewardFunction f = fn("cosine_length", params);
      RewardInput in = new RewardInput("", completion(c), null, Map.of("correct", containsGold(c)));
      // the fixture asserts 2 decimal places
      assertThat(f.score(in).value()).isCloseTo(expected(c), Offset.offset(0.005));
    }
  }

  @Test
  void openR1LenRewardAgreesPerGroup() {
    List<Map<String, Object>> cases = Fixtures.cases(OPEN_R1, "len_reward");
    Map<Object, List<Map<String, Object>>> batches = new LinkedHashMap<>();
    cases.forEach(c -> batches.computeIfAbsent(c.get("batch"), k -> new ArrayList<>()).add(c));
    assertThat(batches).hasSize(5);
    SoftAssertions soft = new SoftAssertions();
    for (List<Map<String, Object>> batch : batches.values()) {
      // open-r1 treats an unparseable gold answer as correct: our reference-free mode
      boolean unparseable = "unparseable_latex".equals(batch.get(0).get("solution"));
      GroupRewardFunction f =
          (GroupRewardFunction)
              fn(
                  "length",
                  unparseable
                      ? Map.of("unit", "chars", "correctness", "assume_correct")
                      : Map.of("unit", "chars"));
      List<RewardInput> inputs = new ArrayList<>();
      for (Map<String, Object> c : batch) {
        inputs.add(
            new RewardInput(
                "",
                completion(c),
                null,
                unparseable ? Map.of() : Map.of("correct", containsGold(c))));
      }
      List<RewardResult> got = f.scoreGroup(inputs);
      for (int i = 0; i < batch.size(); i++) {
        soft.assertThat(got.get(i).value())
            .as(batch.get(i).toString())
            .isCloseTo(expected(batch.get(i)), Offset.offset(1e-9));
      }
    }
    soft.assertAll();
  }

  @Test
  void openR1RepetitionPenaltyAgreesForEnglish() {
    SoftAssertions soft = new SoftAssertions();
    int n = 0;
    for (Map<String, Object> c : Fixtures.cases(OPEN_R1, "repetition_penalty_reward")) {
      Map<String, Object> kw = new HashMap<>(Fixtures.kwargs(c));
      if ("zh".equals(kw.remove("language"))) {
        continue; // see openR1RepetitionPenaltyIsStricterForChinese
      }
      kw.remove("language");
      RewardFunction f = fn("repetition", kw);
      soft.assertThat(f.score(RewardInput.of(completion(c), null)).value())
          .as(completion(c))
          .isCloseTo(expected(c), Offset.offset(1e-4));
      n++;
    }
    soft.assertAll();
    assertThat(n).isEqualTo(19);
  }

  @Test
  void openR1RepetitionPenaltyIsStricterForChinese() {
    // open-r1 segments Chinese with jieba (5 x "这个": 4 bigrams, 1 unique -> -0.75). We have no
    // segmenter and use character n-grams: 9 bigrams, 2 unique -> -(1 - 2/9) = -0.778, a slightly
    // larger penalty for the same repetition.
    Map<String, Object> c =
        Fixtures.cases(OPEN_R1, "repetition_penalty_reward").stream()
            .filter(m -> "zh".equals(Fixtures.kwargs(m).get("language")))
            .findFirst()
            .orElseThrow();
    assertThat(expected(c)).isEqualTo(-0.75);
    RewardFunction f = fn("repetition", Map.of("ngram_size", 2, "max_penalty", -1.0));
    assertThat(f.score(RewardInput.of(completion(c), null)).value())
        .isCloseTo(-7 / 9.0, Offset.offset(1e-12));
  }

  @Test
  void repetitionFactoryRejectsPositivePenaltyLikeBothReferences() {
    List<Map<String, Object>> cases =
        new ArrayList<>(Fixtures.cases(OPEN_R1, "get_repetition_penalty_reward(factory)"));
    cases.addAll(Fixtures.cases(TRL, "get_repetition_penalty_reward(factory)"));
    assertThat(cases).hasSize(3);
    for (Map<String, Object> c : cases) {
      assertThatThrownBy(() -> fn("repetition", Fixtures.kwargs(c)))
          .isInstanceOf(IllegalArgumentException.class)
          .hasMessageContaining("should not be positive");
    }
  }

  @Test
  void softOverlongAgreesWithOpenR1AndTrl() {
    List<Map<String, Object>> cases =
        new ArrayList<>(Fixtures.cases(OPEN_R1, "soft_overlong_punishment_reward"));
    cases.addAll(Fixtures.cases(TRL, "soft_overlong_punishment_reward"));
    assertThat(cases).hasSize(6);
    for (Map<String, Object> c : cases) {
      Map<String, Object> kw = new HashMap<>(Fixtures.kwargs(c));
      Object len = kw.remove("completion_ids_len");
      RewardFunction f = fn("soft_overlong", kw);
      RewardInput in = new RewardInput("", "", null, Map.of("completion_tokens", len));
      assertThat(f.score(in).value()).isCloseTo(expected(c), Offset.offset(1e-9));
    }
  }

  @Test
  void trlThinkFormatAgreesWithRelaxedNewlines() {
    RewardFunction f = fn("format", Map.of("require_newlines", false));
    List<Map<String, Object>> cases = Fixtures.cases(TRL, "think_format_reward");
    assertThat(cases).hasSize(14);
    for (Map<String, Object> c : cases) {
      assertThat(f.score(RewardInput.of(completion(c), null)).value())
          .as(completion(c))
          .isEqualTo(expected(c));
    }
  }

  @Test
  void trlThinkFormatIsStricterUnderR1Newlines() {
    // Our default is the R1 layout "<think>\n...\n</think>\n": TRL accepts "<think>x</think>y",
    // "<think>\nx</think>\ny" and "<think></think>\ny"; we score those 0 and agree elsewhere.
    RewardFunction f = fn("format", Map.of());
    List<Map<String, Object>> cases = Fixtures.cases(TRL, "think_format_reward");
    int stricter = 0;
    for (Map<String, Object> c : cases) {
      double ours = f.score(RewardInput.of(completion(c), null)).value();
      String s = completion(c);
      boolean r1Layout = s.startsWith("<think>\n") && s.contains("\n</think>\n");
      if (expected(c) == 1.0 && !r1Layout) {
        assertThat(ours).as(s).isZero();
        stricter++;
      } else {
        assertThat(ours).as(s).isEqualTo(expected(c));
      }
    }
    assertThat(stricter).isEqualTo(3);
  }

  @Test
  void trlCosineScaledRewardAgrees() {
    SoftAssertions soft = new SoftAssertions();
    for (Map<String, Object> c : Fixtures.cases(TRL, "cosine_scaled_reward")) {
      Map<String, Object> kw = new HashMap<>(Fixtures.kwargs(c));
      Object len = kw.remove("completion_ids_len");
      RewardFunction f = fn("cosine_length", kw);
      if (c.get("expected") == null) {
        // TRL returns None when the gold answer does not parse; without a correctness verdict
        // we return ERROR (no value) rather than guess.
        RewardInput in = new RewardInput("", completion(c), null, Map.of("completion_tokens", len));
        soft.assertThat(f.score(in).status()).isEqualTo(RewardResult.Status.ERROR);
        continue;
      }
      RewardInput in =
          new RewardInput(
              "",
              completion(c),
              null,
              Map.of("completion_tokens", len, "correct", containsGold(c)));
      soft.assertThat(f.score(in).value())
          .as(c.toString())
          .isCloseTo(expected(c), Offset.offset(1e-4));
    }
    soft.assertAll();
  }

  @Test
  void trlTokenIdRepetitionPenaltyAgrees() {
    List<Map<String, Object>> cases = Fixtures.cases(TRL, "repetition_penalty_reward(token_ids)");
    assertThat(cases).hasSize(12);
    for (Map<String, Object> c : cases) {
      Map<String, Object> kw = new HashMap<>(Fixtures.kwargs(c));
      Object ids = kw.remove("completion_ids");
      kw.put("unit", "token_ids");
      RewardFunction f = fn("repetition", kw);
      RewardInput in = new RewardInput("", "", null, Map.of("completion_ids", ids));
      assertThat(f.score(in).value()).as(c.toString()).isCloseTo(expected(c), Offset.offset(1e-9));
    }
  }
}
