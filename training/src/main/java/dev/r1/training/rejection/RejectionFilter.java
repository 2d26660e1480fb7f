package dev.r1.training.rejection;

import dev.r1.reward.RewardInput;
import dev.r1.reward.format.FormatReward;
import dev.r1.reward.math.AccuracyReward;
import dev.r1.training.eval.LanguageCheck;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Rejection sampling's filter: keeps correct, well-formed, language-consistent traces under the
 * length limit, without duplicates, at most {@code maxPerPrompt} per prompt, in the order offered.
 * Correctness, format and language are judged here (not taken from the reward components), so
 * traces sampled in process and through the fleet are filtered alike.
 */
public final class RejectionFilter {

  /** Why a candidate was rejected (metric and summary keys). */
  public static final List<String> REASONS =
      List.of("too_long", "incorrect", "malformed", "language", "duplicate", "per_prompt_cap");

  /**
   * The filter's outcome.
   *
   * @param kept the traces kept
   * @param offered candidates seen
   * @param rejected reason -> count (each candidate counts once, for the first check it fails)
   */
  public record Result(List<Candidate> kept, int offered, Map<String, Integer> rejected) {

    /** Share of offered candidates kept. */
    public double keptRate() {
      return offered == 0 ? 0 : (double) kept.size() / offered;
    }
  }

  private final RejectionConfig config;
  private final AccuracyReward accuracy = new AccuracyReward();
  private final FormatReward format;

  public RejectionFilter(RejectionConfig config) {
    this.config = config;
    this.format =
        new FormatReward(new FormatReward.Options(config.requireAnswerTags(), true, false, null));
  }

  public RejectionConfig config() {
    return config;
  }

  /** Filters candidates. */
  public Result filter(List<Candidate> candidates) {
    Map<String, Integer> rejected = new LinkedHashMap<>();
    REASONS.forEach(r -> rejected.put(r, 0));
    Map<String, Set<String>> seen = new HashMap<>();
    Map<String, Integer> perPrompt = new HashMap<>();
    List<Candidate> kept = new ArrayList<>();
    for (Candidate c : candidates) {
      String reason = reject(c, seen, perPrompt);
      if (reason == null) {
        kept.add(c);
      } else {
        rejected.merge(reason, 1, Integer::sum);
      }
    }
    return new Result(List.copyOf(kept), candidates.size(), rejected);
  }

  private String reject(Candidate c, Map<String, Set<String>> seen, Map<String, Integer> count) {
    if (c.truncated() || c.completionTokens() > config.maxCompletionTokens()) {
      return "too_long";
    }
    RewardInput in = RewardInput.of(c.response(), c.gold());
    if (config.requireCorrect() && (c.gold() == null || safeScore(accuracy, in) < 1.0)) {
      return "incorrect";
    }
    if (config.requireFormat() && safeScore(format, in) < 1.0) {
      return "malformed";
    }
    if (config.requireLanguage()
        && !LanguageCheck.consistent(c.response(), LanguageCheck.Language.ENGLISH)) {
      return "language";
    }
    if (config.deduplicate()
        && !seen.computeIfAbsent(c.promptId(), k -> new HashSet<>()).add(normalise(c.response()))) {
      return "duplicate";
    }
    if (count.merge(c.promptId(), 1, Integer::sum) > config.maxPerPrompt()) {
      return "per_prompt_cap";
    }
    return null;
  }

  private static double safeScore(dev.r1.reward.RewardFunction f, RewardInput in) {
    try {
      return f.score(in).value();
    } catch (RuntimeException e) {
      return 0;
    }
  }

  /** Whitespace-collapsed text: traces differing only in spacing are duplicates. */
  static String normalise(String text) {
    return text.strip().replaceAll("\\s+", " ");
  }
}
