package dev.r1.reward.countdown;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.r1.reward.RewardFunction;
import dev.r1.reward.RewardInput;
import dev.r1.reward.RewardParams;
import dev.r1.reward.RewardResult;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * TinyZero's countdown reward ({@code compute_score}): extract the equation from the last {@code
 * <answer>...</answer>} on the last line of the response; 0 when there is none; {@code
 * format_score} (0.1) when the equation does not use every given number exactly once, contains
 * anything but digits, {@code + - * / ( ) .} and whitespace, or does not evaluate to the target;
 * {@code score} (1.0) when it evaluates to within 1e-5 of the target. Evaluation is our own parser
 * of Python's arithmetic ({@link Arithmetic}), never a script engine.
 *
 * <p>The target and numbers come from metadata {@code target} and {@code numbers}, or from the
 * reference as JSON {@code {"target": 98, "numbers": [44, 19, 35]}}. TinyZero scores the decoded
 * prompt plus response and needs an {@code Assistant:} or {@code <|im_start|>assistant} marker;
 * with {@code require_assistant_marker=true} we do the same over {@code prompt + completion},
 * otherwise the completion is the response when no marker is present.
 */
public final class CountdownReward implements RewardFunction {

  /** Accepted parameter names. */
  public static final Set<String> PARAMS =
      Set.of("format_score", "score", "require_assistant_marker");

  private static final ObjectMapper JSON = new ObjectMapper();

  private final double formatScore;
  private final double fullScore;
  private final boolean requireMarker;

  public CountdownReward(double formatScore, double fullScore, boolean requireMarker) {
    this.formatScore = formatScore;
    this.fullScore = fullScore;
    this.requireMarker = requireMarker;
  }

  /** From spec params (defaults: format_score 0.1, score 1.0, marker not required). */
  public static CountdownReward from(RewardParams p) {
    p.requireOnly(PARAMS);
    return new CountdownReward(
        p.getDouble("format_score", 0.1),
        p.getDouble("score", 1.0),
        p.getBoolean("require_assistant_marker", false));
  }

  @Override
  public String name() {
    return "countdown";
  }

  @Override
  public RewardResult score(RewardInput input) {
    Task task = task(input);
    String text = input.prompt() + input.completion();
    String response = response(text);
    if (response == null) {
      if (requireMarker) {
        return RewardResult.ok(0.0, "no Assistant: marker");
      }
      response = input.completion();
    }
    String equation = extractAnswer(response);
    if (equation == null) {
      return RewardResult.ok(0.0, "no <answer> on the last line");
    }
    if (!usesNumbersExactly(equation, task.numbers())) {
      return RewardResult.ok(formatScore, "numbers not used exactly once: " + shorten(equation));
    }
    if (!allowedChars(equation)) {
      return RewardResult.ok(formatScore, "invalid characters: " + shorten(equation));
    }
    Arithmetic.Num value;
    try {
      value = Arithmetic.eval(equation);
    } catch (Arithmetic.EvalException e) {
      return RewardResult.ok(formatScore, "does not evaluate: " + e.getMessage());
    }
    if (matches(value, task.target())) {
      return RewardResult.ok(fullScore, equation + " = " + task.target());
    }
    return RewardResult.ok(formatScore, equation + " != " + task.target());
  }

  /** The countdown task of one row. */
  record Task(double target, BigInteger targetInt, List<BigInteger> numbers) {}

  static Task task(RewardInput input) {
    Map<String, Object> m = input.metadata();
    Object target = m.get("target");
    Object numbers = m.get("numbers");
    String where = "metadata";
    if ((target == null || numbers == null) && input.reference() != null) {
      try {
        Map<String, Object> ref =
            JSON.readValue(input.reference(), new TypeReference<Map<String, Object>>() {});
        target = ref.get("target");
        numbers = ref.get("numbers");
        where = "reference";
      } catch (Exception e) {
        throw new IllegalArgumentException(
            "reference must be JSON {\"target\":..,\"numbers\":[..]}: " + e.getMessage());
      }
    }
    if (!(target instanceof Number t)) {
      throw new IllegalArgumentException(where + ".target must be a number, got " + target);
    }
    if (!(numbers instanceof List<?> list)) {
      throw new IllegalArgumentException(where + ".numbers must be a list, got " + numbers);
    }
    List<BigInteger> nums = new ArrayList<>();
    for (int i = 0; i < list.size(); i++) {
      BigInteger b = integral(list.get(i));
      if (b == null) {
        throw new IllegalArgumentException(
            where + ".numbers[" + i + "] must be an integer, got " + list.get(i));
      }
      nums.add(b);
    }
    Collections.sort(nums);
    return new Task(t.doubleValue(), integral(t), List.copyOf(nums));
  }

  private static BigInteger integral(Object o) {
    if (o instanceof Integer || o instanceof Long || o instanceof Short || o instanceof Byte) {
      return BigInteger.valueOf(((Number) o).longValue());
    }
    if (o instanceof BigInteger b) {
      return b;
    }
    if (o instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && !Double.isInfinite(d)) {
        return new BigDecimal(d).toBigInteger();
      }
    }
    return null;
  }

  /** The text after the first assistant marker, or null when there is none. */
  static String response(String text) {
    int a = text.indexOf("Assistant:");
    if (a >= 0) {
      return text.substring(a + "Assistant:".length());
    }
    int b = text.indexOf("<|im_start|>assistant");
    if (b >= 0) {
      return text.substring(b + "<|im_start|>assistant".length());
    }
    return null;
  }

  /** The stripped content of the last {@code <answer>...</answer>} on the last line, or null. */
  static String extractAnswer(String response) {
    String line = response.substring(response.lastIndexOf('\n') + 1);
    String last = null;
    int from = 0;
    while (true) {
      int open = line.indexOf("<answer>", from);
      if (open < 0) {
        break;
      }
      int close = line.indexOf("</answer>", open + 8);
      if (close < 0) {
        break;
      }
      last = line.substring(open + 8, close);
      from = close + 9;
    }
    return last == null ? null : pyStrip(last);
  }

  /** TinyZero's validate_equation: the integers found by {@code \d+} equal the given numbers. */
  static boolean usesNumbersExactly(String equation, List<BigInteger> sortedNumbers) {
    List<BigInteger> found = new ArrayList<>();
    int n = equation.length();
    int i = 0;
    while (i < n) {
      if (Character.isDigit(equation.charAt(i))) {
        int j = i;
        StringBuilder digits = new StringBuilder();
        while (j < n && Character.isDigit(equation.charAt(j))) {
          digits.append((char) ('0' + Character.digit(equation.charAt(j), 10)));
          j++;
        }
        found.add(new BigInteger(digits.toString()));
        if (found.size() > sortedNumbers.size()) {
          return false;
        }
        i = j;
      } else {
        i++;
      }
    }
    Collections.sort(found);
    return found.equals(sortedNumbers);
  }

  /** TinyZero's {@code ^[\d+\-*}{@code /().\s]+$}. */
  static boolean allowedChars(String equation) {
    if (equation.isEmpty()) {
      return false;
    }
    for (int i = 0; i < equation.length(); i++) {
      char c = equation.charAt(i);
      boolean ok =
          Character.isDigit(c)
              || "+-*/().".indexOf(c) >= 0
              || Character.isWhitespace(c)
              || Character.isSpaceChar(c);
      if (!ok) {
        return false;
      }
    }
    return true;
  }

  private static boolean matches(Arithmetic.Num value, double target) {
    return Math.abs(value.asDouble() - target) < 1e-5;
  }

  private static String pyStrip(String s) {
    int a = 0;
    int b = s.length();
    while (a < b && (Character.isWhitespace(s.charAt(a)) || Character.isSpaceChar(s.charAt(a)))) {
      a++;
    }
    while (b > a
        && (Character.isWhitespace(s.charAt(b - 1)) || Character.isSpaceChar(s.charAt(b - 1)))) {
      b--;
    }
    return s.substring(a, b);
  }

  private static String shorten(String s) {
    return s.length() > 60 ? s.substring(0, 60) + "..." : s;
  }
}
