package dev.r1.trainer.metrics;

import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * The share of completions that reflect on their own reasoning: re-check, reconsider or catch a
 * mistake ("Wait, ...", "let me verify", "double-check", "I made a mistake"). R1-Zero's "aha
 * moment" shows up as this rate rising during RL; the training dashboard plots it per job.
 */
public final class ReflectionRate {

  private static final Pattern MARKERS =
      Pattern.compile(
          "\\b(wait|re-?check|re-?evaluate|re-?examine|reconsider|double[- ]check"
              + "|let me (?:check|verify|re-?think)|verify|mistake|on second thought)\\b");

  private ReflectionRate() {}

  /** True when the text holds at least one reflection marker (case-insensitive, whole words). */
  public static boolean reflects(String text) {
    return text != null && MARKERS.matcher(text.toLowerCase(Locale.ROOT)).find();
  }

  /** The share of texts that reflect; 0 for none. */
  public static double of(List<String> texts) {
    if (texts.isEmpty()) {
      return 0;
    }
    long n = texts.stream().filter(ReflectionRate::reflects).count();
    return (double) n / texts.size();
  }
}
