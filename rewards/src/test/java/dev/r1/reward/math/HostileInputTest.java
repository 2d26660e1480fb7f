package dev.r1.reward.math;

import static org.assertj.core.api.Assertions.assertThat;

import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardResult;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;

/** Every hostile input returns within its limit with reward 0 (or a TIMEOUT), never overflowing. */
class HostileInputTest {

  private static final long LIMIT_MS = 2500;

  private final AccuracyReward reward = new AccuracyReward();
  private final AccuracyReward lenient =
      new AccuracyReward(
          AccuracyOptions.from(
              Map.of("last_number_fallback", true, "max_answer_chars", 2_000_000)));

  private static RewardResult timed(String what, Supplier<RewardResult> call) {
    long t0 = System.nanoTime();
    RewardResult r = call.get();
    long ms = (System.nanoTime() - t0) / 1_000_000;
    System.out.printf(
        "hostile %-32s %5d ms  %s %.1f %s%n",
        what, ms, r.status(), r.value(), MathEquivalence.shorten(r.detail()));
    assertThat(ms).as(what + " took %d ms", ms).isLessThan(LIMIT_MS);
    return r;
  }

  private void zeroFromBoth(String what, String completion, String reference) {
    for (AccuracyReward rw : new AccuracyReward[] {reward, lenient}) {
      RewardResult r = timed(what, () -> rw.score(RewardInput.of(completion, reference)));
      assertThat(r.value()).as(what).isEqualTo(0.0);
    }
  }

  @Test
  void oneMegabyteCompletionStillFindsItsAnswerQuickly() {
    StringBuilder b = new StringBuilder();
    Random rnd = new Random(1);
    String[] words = {"so", "then", "$x$", "we", "get", "\\frac{1}{2}", "(", "{", "7", "answer"};
    while (b.length() < 1_000_000) {
      b.append(words[rnd.nextInt(words.length)]).append(' ');
    }
    String text = b + "</think> The result is $\\boxed{42}$.";
    RewardResult hit = timed("1MB + boxed answer", () -> reward.score(RewardInput.of(text, "42")));
    assertThat(hit.value()).isEqualTo(1.0);
    zeroFromBoth("1MB without closing think", "<think>" + b, "42");
    zeroFromBoth("1MB random text", b.toString(), "42");
  }

  @Test
  void pathologicalRegexTextReturnsZeroWithinLimit() {
    zeroFromBoth("\\boxed{ x50000", "</think>" + "\\boxed{".repeat(50_000), "1");
    zeroFromBoth("( x200000", "</think>$" + "(".repeat(200_000) + "$", "1");
    zeroFromBoth("\\( x100000", "</think>" + "\\(".repeat(100_000), "1");
    zeroFromBoth("$$ x100000", "</think>" + "$$".repeat(100_000) + "x", "1");
    zeroFromBoth("answer is x100000", "</think>" + "the answer is ".repeat(100_000), "1");
    zeroFromBoth("\\text{ x50000", "</think>\\boxed{" + "\\text{".repeat(50_000) + "}", "1");
    zeroFromBoth("digits x200000", "</think>" + "9".repeat(200_000), "1");
    zeroFromBoth("digits,000 x50000", "</think>1" + ",000".repeat(50_000), "1");
    zeroFromBoth("x^x^x... x20000", "</think>$" + "x^".repeat(20_000) + "x$", "1");
    zeroFromBoth("1+1+... x100000", "</think>$" + "1+".repeat(100_000) + "1$", "3");
  }

  @Test
  void latexNestedTenThousandDeepIsRejectedWithoutStackOverflow() {
    String fracs = "\\frac{1}{".repeat(10_000) + "2" + "}".repeat(10_000);
    zeroFromBoth("\\frac nested 10000", "</think>\\boxed{" + fracs + "}", "1");
    String parens = "(".repeat(10_000) + "1" + ")".repeat(10_000);
    zeroFromBoth("parens nested 10000", "</think>$" + parens + "$", "2");
    String braces = "{".repeat(10_000) + "1" + "}".repeat(10_000);
    zeroFromBoth("braces nested 10000", "</think>\\boxed{" + braces + "}", "2");
    String sqrt = "\\sqrt{".repeat(10_000) + "1" + "}".repeat(10_000);
    zeroFromBoth("sqrt nested 10000", "</think>\\boxed{" + sqrt + "}", "2");
    String texts = "\\text{".repeat(10_000) + "1" + "}".repeat(10_000);
    zeroFromBoth("\\text nested 10000", "</think>\\boxed{" + texts + "}", "2");
  }

  @Test
  void deepNestingFailsWithAParseReasonInsteadOfAnError() {
    AccuracyOptions o = AccuracyOptions.defaults().withRequireAnswerOutsideThink(false);
    AccuracyOptions wide = new AccuracyOptions(false, true, false, true, 6, 2000, 1_000_000, 300);
    String parens = "(".repeat(10_000) + "1" + ")".repeat(10_000);
    MathEquivalence.Verdict v = MathEquivalence.verify("1", "$" + parens + "$", wide);
    assertThat(v.status()).isEqualTo(MathEquivalence.Status.NO_MATCH);
    assertThat(v.detail()).contains("nesting deeper than 300");
    // moderate nesting is fine
    String ok = "(".repeat(50) + "1" + ")".repeat(50);
    assertThat(MathEquivalence.verify("1", "$" + ok + "$", o).equivalent()).isTrue();
  }

  @Test
  void tinyTimeLimitYieldsTimeoutStatus() {
    AccuracyReward fast = new AccuracyReward(AccuracyOptions.defaults().withTimeoutMillis(1));
    String big = "</think>" + "\\boxed{1} ".repeat(200_000) + "$x$";
    RewardResult r = timed("1 ms limit", () -> fast.score(RewardInput.of(big, "2")));
    assertThat(r.status()).isEqualTo(RewardResult.Status.TIMEOUT);
    assertThat(r.value()).isEqualTo(0.0);
  }
}
