package dev.r1.reward;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Megabyte and regex-pathological completions score within the time limit for every function. */
class HostileInputTest {

  /**
   * A bound that separates linear work from runaway backtracking (which takes minutes), with room
   * for a loaded 2-core build machine (1 MB measured 3.6 s there); speed itself is benchmarked.
   */
  private static final long LIMIT_MS = 10_000;

  private static List<String> hostile() {
    List<String> out = new ArrayList<>();
    out.add("<think>\n" + "a ".repeat(500_000) + "\n</think>\n<answer>1</answer>"); // 1 MB
    out.add("<think>".repeat(150_000)); // unclosed, repeated opening tags
    out.add("<answer>".repeat(100_000) + "</answer>".repeat(100_000));
    out.add("\n-".repeat(300_000) + "Step 1".repeat(50_000));
    out.add("这个".repeat(300_000));
    out.add("$".repeat(200_000) + "\\(".repeat(100_000) + "\\".repeat(100_000));
    out.add("Assistant: <answer>" + "(".repeat(300_000) + "1" + ")".repeat(300_000) + "</answer>");
    out.add("Assistant: <answer>" + "9**".repeat(300) + "9</answer>");
    out.add("```python\n".repeat(100_000));
    return out;
  }

  @Test
  void everyFunctionScoresHostileInputQuickly() {
    Map<String, Map<String, Object>> params =
        Map.of(
            "format", Map.of("code_language", "python"),
            "tag_count", Map.of(),
            "reasoning_steps", Map.of(),
            "language_consistency", Map.of("language", "en"),
            "length", Map.of("correctness", "assume_correct"),
            "cosine_length", Map.of("correctness", "assume_correct"),
            "soft_overlong", Map.of("max_completion_len", 4096, "soft_punish_cache", 512),
            "repetition", Map.of(),
            "countdown", Map.of());
    RewardRegistry reg = RewardRegistry.builtins();
    for (String text : hostile()) {
      for (Map.Entry<String, Map<String, Object>> e : params.entrySet()) {
        RewardFunction f = reg.create(e.getKey(), RewardParams.of(e.getValue()));
        RewardInput in =
            new RewardInput("", text, null, Map.of("target", 1, "numbers", List.of(1)));
        long t0 = System.nanoTime();
        RewardResult r = f.score(in);
        long ms = (System.nanoTime() - t0) / 1_000_000;
        assertThat(ms)
            .as(e.getKey() + " on " + text.substring(0, 30) + "... (" + text.length() + " chars)")
            .isLessThan(LIMIT_MS);
        assertThat(r.status()).isEqualTo(RewardResult.Status.OK);
      }
    }
  }
}
