package dev.r1.reward.format;

import dev.r1.reward.RewardFunction;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardParams;
import dev.r1.reward.RewardResult;
import java.util.Set;

/**
 * R1-style format reward: 1 when the completion is one {@code <think>} block followed by a
 * non-empty answer (optionally wrapped in one {@code <answer>} block), else 0.
 *
 * <p>Rejected (score 0): a missing or unclosed block, nested or repeated {@code <think>} blocks,
 * answer tags inside the thinking, text between {@code </think>} and {@code <answer>}, text after
 * {@code </answer>}, an empty answer. A hand-written scanner: linear time on any input.
 */
public final class FormatReward implements RewardFunction {

  /** Accepted parameter names. */
  public static final Set<String> PARAMS =
      Set.of("require_answer_tags", "require_newlines", "think_prefilled", "code_language");

  private static final String THINK = "<think>";
  private static final String THINK_END = "</think>";
  private static final String ANSWER = "<answer>";
  private static final String ANSWER_END = "</answer>";

  private final Options options;

  /**
   * Format options.
   *
   * @param requireAnswerTags the answer must be inside {@code <answer>...</answer>}
   * @param requireNewlines R1 layout: {@code <think>\n...\n</think>\n}; off accepts {@code
   *     <think>...</think>answer}
   * @param thinkPrefilled the chat template already emitted {@code <think>\n}, so the completion
   *     starts inside the thinking
   * @param codeLanguage when set, the answer must hold a fenced block {@code ```<language> ... ```}
   *     (open-r1's code_format_reward)
   */
  public record Options(
      boolean requireAnswerTags,
      boolean requireNewlines,
      boolean thinkPrefilled,
      String codeLanguage) {

    /** Defaults: answer tags optional, R1 newlines required, not prefilled, no code check. */
    public static Options defaults() {
      return new Options(false, true, false, null);
    }

    /** Options from spec params. */
    public static Options from(RewardParams p) {
      p.requireOnly(PARAMS);
      String lang = p.getString("code_language", null);
      if (lang != null && (lang.isBlank() || lang.contains("`") || lang.contains("\n"))) {
        throw p.invalid(
            "code_language", "must be a language name like 'python', got '" + lang + "'");
      }
      return new Options(
          p.getBoolean("require_answer_tags", false),
          p.getBoolean("require_newlines", true),
          p.getBoolean("think_prefilled", false),
          lang);
    }
  }

  public FormatReward(Options options) {
    this.options = options;
  }

  public FormatReward() {
    this(Options.defaults());
  }

  @Override
  public String name() {
    return "format";
  }

  @Override
  public RewardResult score(RewardInput input) {
    String reason = check(input.completion());
    return reason == null ? RewardResult.ok(1.0) : RewardResult.ok(0.0, reason);
  }

  /** Null when well-formed, else why not. */
  String check(String s) {
    int pos = 0;
    if (!options.thinkPrefilled()) {
      if (!s.startsWith(THINK)) {
        return "does not start with <think>";
      }
      pos = THINK.length();
    }
    int close = s.indexOf(THINK_END, pos);
    if (close < 0) {
      return "<think> block not closed";
    }
    if (s.indexOf(THINK, pos) >= 0 && s.indexOf(THINK, pos) < close) {
      return "nested <think> block";
    }
    int answerInThink = s.indexOf(ANSWER, pos);
    int answerEndInThink = s.indexOf(ANSWER_END, pos);
    if ((answerInThink >= 0 && answerInThink < close)
        || (answerEndInThink >= 0 && answerEndInThink < close)) {
      return "answer tag inside the <think> block";
    }
    if (options.requireNewlines()) {
      boolean startsNl = options.thinkPrefilled() || (pos < s.length() && s.charAt(pos) == '\n');
      boolean endsNl = close > 0 && s.charAt(close - 1) == '\n' && close - 1 >= pos;
      if (!startsNl || !endsNl) {
        return "<think> content must start and end with a newline";
      }
    }
    int after = close + THINK_END.length();
    if (s.indexOf(THINK, after) >= 0 || s.indexOf(THINK_END, after) >= 0) {
      return "more than one <think> block";
    }
    if (options.requireNewlines() && (after >= s.length() || s.charAt(after) != '\n')) {
      return "</think> must be followed by a newline";
    }
    int open = s.indexOf(ANSWER, after);
    String answer;
    if (open < 0) {
      if (options.requireAnswerTags()) {
        return "missing <answer> block";
      }
      if (s.indexOf(ANSWER_END, after) >= 0) {
        return "</answer> without <answer>";
      }
      answer = s.substring(after);
    } else {
      if (!isBlank(s, after, open)) {
        return "text between </think> and <answer>";
      }
      int body = open + ANSWER.length();
      int end = s.indexOf(ANSWER_END, body);
      if (end < 0) {
        return "<answer> block not closed";
      }
      int nested = s.indexOf(ANSWER, body);
      if (nested >= 0 && nested < end) {
        return "nested <answer> block";
      }
      int tail = end + ANSWER_END.length();
      if (!isBlank(s, tail, s.length())) {
        return s.indexOf(ANSWER, tail) >= 0 || s.indexOf(ANSWER_END, tail) >= 0
            ? "more than one <answer> block"
            : "text after </answer>";
      }
      answer = s.substring(body, end);
    }
    if (answer.isBlank()) {
      return "empty answer";
    }
    if (options.codeLanguage() != null) {
      int fence = answer.indexOf("```" + options.codeLanguage());
      if (fence < 0) {
        return "answer has no ```" + options.codeLanguage() + " block";
      }
      if (answer.indexOf("```", fence + 3 + options.codeLanguage().length()) < 0) {
        return "```" + options.codeLanguage() + " block not closed";
      }
    }
    return null;
  }

  private static boolean isBlank(String s, int from, int to) {
    for (int i = from; i < to; i++) {
      if (!Character.isWhitespace(s.charAt(i))) {
        return false;
      }
    }
    return true;
  }
}
