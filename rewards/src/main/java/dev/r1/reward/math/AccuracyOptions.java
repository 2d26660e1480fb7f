package dev.r1.reward.math;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Options of the accuracy reward and of {@link MathEquivalence}.
 *
 * @param requireAnswerOutsideThink only text after the last {@code </think>} is searched for an
 *     answer; an unclosed {@code <think>} means no answer
 * @param latex extract LaTeX-style answers: {@code <answer>} tags, {@code #### n}, "final answer
 *     is", {@code \boxed{}}, "answer is"/"Answer:", the last {@code $...$} span, or a short whole
 *     text
 * @param lastNumberFallback also take the last number of the text as a candidate answer (off by
 *     default: it rewards answers that merely mention the right number)
 * @param multipleChoice when the reference is a choice letter (A, "(B)", "\text{(C)}"), compare the
 *     choice letter extracted from the completion
 * @param precision decimals two numbers are rounded to before comparing (6 = Math-Verify default)
 * @param timeoutMillis wall-clock limit of one comparison, checked inside every loop
 * @param maxAnswerChars longest extracted answer that is parsed (longer ones are rejected)
 * @param maxNestingDepth deepest expression nesting the parser accepts
 */
public record AccuracyOptions(
    boolean requireAnswerOutsideThink,
    boolean latex,
    boolean lastNumberFallback,
    boolean multipleChoice,
    int precision,
    long timeoutMillis,
    int maxAnswerChars,
    int maxNestingDepth) {

  /** The parameter names {@link #from(Map)} accepts (snake_case). */
  public static final Set<String> PARAMS =
      Set.of(
          "require_answer_outside_think",
          "latex",
          "last_number_fallback",
          "multiple_choice",
          "precision",
          "timeout_ms",
          "max_answer_chars",
          "max_nesting_depth");

  public AccuracyOptions {
    if (!latex && !lastNumberFallback && !multipleChoice) {
      throw new IllegalArgumentException(
          "accuracy options: at least one of latex, last_number_fallback, multiple_choice must be"
              + " enabled");
    }
    if (precision < 0 || precision > 15) {
      throw new IllegalArgumentException(
          "accuracy option precision must be in [0, 15]: " + precision);
    }
    if (timeoutMillis <= 0) {
      throw new IllegalArgumentException(
          "accuracy option timeout_ms must be > 0: " + timeoutMillis);
    }
    if (maxAnswerChars < 1) {
      throw new IllegalArgumentException("accuracy option max_answer_chars must be >= 1");
    }
    if (maxNestingDepth < 4 || maxNestingDepth > 2000) {
      throw new IllegalArgumentException("accuracy option max_nesting_depth must be in [4, 2000]");
    }
  }

  /** Defaults: answer outside think, LaTeX extraction, no last-number fallback, 2 s limit. */
  public static AccuracyOptions defaults() {
    return new AccuracyOptions(true, true, false, true, 6, 2000, 2000, 300);
  }

  public AccuracyOptions withRequireAnswerOutsideThink(boolean v) {
    return new AccuracyOptions(
        v,
        latex,
        lastNumberFallback,
        multipleChoice,
        precision,
        timeoutMillis,
        maxAnswerChars,
        maxNestingDepth);
  }

  public AccuracyOptions withExtraction(boolean latex, boolean lastNumber, boolean choices) {
    return new AccuracyOptions(
        requireAnswerOutsideThink,
        latex,
        lastNumber,
        choices,
        precision,
        timeoutMillis,
        maxAnswerChars,
        maxNestingDepth);
  }

  public AccuracyOptions withPrecision(int p) {
    return new AccuracyOptions(
        requireAnswerOutsideThink,
        latex,
        lastNumberFallback,
        multipleChoice,
        p,
        timeoutMillis,
        maxAnswerChars,
        maxNestingDepth);
  }

  public AccuracyOptions withTimeoutMillis(long ms) {
    return new AccuracyOptions(
        requireAnswerOutsideThink,
        latex,
        lastNumberFallback,
        multipleChoice,
        precision,
        ms,
        maxAnswerChars,
        maxNestingDepth);
  }

  /**
   * Builds options from reward-spec parameters (snake_case keys, see {@link #PARAMS}); missing keys
   * keep their defaults.
   *
   * @throws IllegalArgumentException naming any unknown key or badly typed value
   */
  public static AccuracyOptions from(Map<String, Object> params) {
    AccuracyOptions d = defaults();
    if (params == null || params.isEmpty()) {
      return d;
    }
    List<String> unknown = new ArrayList<>();
    for (String k : new TreeSet<>(params.keySet())) {
      if (!PARAMS.contains(k)) {
        unknown.add(k);
      }
    }
    if (!unknown.isEmpty()) {
      throw new IllegalArgumentException(
          "unknown accuracy reward parameter(s) " + unknown + "; known: " + new TreeSet<>(PARAMS));
    }
    Map<String, Object> p = new LinkedHashMap<>(params);
    return new AccuracyOptions(
        bool(p, "require_answer_outside_think", d.requireAnswerOutsideThink()),
        bool(p, "latex", d.latex()),
        bool(p, "last_number_fallback", d.lastNumberFallback()),
        bool(p, "multiple_choice", d.multipleChoice()),
        (int) number(p, "precision", d.precision()),
        number(p, "timeout_ms", d.timeoutMillis()),
        (int) number(p, "max_answer_chars", d.maxAnswerChars()),
        (int) number(p, "max_nesting_depth", d.maxNestingDepth()));
  }

  private static boolean bool(Map<String, Object> p, String key, boolean def) {
    Object v = p.get(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    if (v instanceof String s && (s.equalsIgnoreCase("true") || s.equalsIgnoreCase("false"))) {
      return Boolean.parseBoolean(s);
    }
    throw new IllegalArgumentException(
        "accuracy reward parameter '" + key + "' must be a boolean, got: " + v);
  }

  private static long number(Map<String, Object> p, String key, long def) {
    Object v = p.get(key);
    if (v == null) {
      return def;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      return n.longValue();
    }
    if (v instanceof String s) {
      try {
        return Long.parseLong(s.trim());
      } catch (NumberFormatException e) {
        // reported below
      }
    }
    throw new IllegalArgumentException(
        "accuracy reward parameter '" + key + "' must be an integer, got: " + v);
  }
}
