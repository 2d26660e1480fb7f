package dev.r1.training.reflection;

import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * What the R1 paper calls emergent reflection: phrases such as "wait", "let me check" or
 * "re-evaluate" in a completion. {@link #rate} is the share of completions holding at least one,
 * tracked over training next to the completion length.
 */
public final class ReflectionPhrases {

  /** The phrases counted (case-insensitive, whole words). */
  public static final List<String> PHRASES =
      List.of(
          "wait",
          "let me check",
          "let me verify",
          "let me re-check",
          "let me recheck",
          "re-evaluate",
          "reevaluate",
          "double-check",
          "double check",
          "check again",
          "on second thought",
          "hmm");

  private static final Pattern PATTERN = compile(PHRASES);

  private ReflectionPhrases() {}

  private static Pattern compile(List<String> phrases) {
    StringBuilder sb = new StringBuilder("\\b(?:");
    for (int i = 0; i < phrases.size(); i++) {
      if (i > 0) {
        sb.append('|');
      }
      sb.append(Pattern.quote(phrases.get(i)).replace(" ", "\\E\\s+\\Q"));
    }
    return Pattern.compile(sb.append(")\\b").toString(), Pattern.CASE_INSENSITIVE);
  }

  /** Whether the text holds at least one reflection phrase. */
  public static boolean reflects(String text) {
    return text != null && PATTERN.matcher(text).find();
  }

  /** How many reflection phrases the text holds. */
  public static int count(String text) {
    if (text == null) {
      return 0;
    }
    int n = 0;
    var m = PATTERN.matcher(text.toLowerCase(Locale.ROOT));
    while (m.find()) {
      n++;
    }
    return n;
  }

  /** The share of texts holding at least one reflection phrase; 0 for no texts. */
  public static double rate(Collection<String> texts) {
    if (texts.isEmpty()) {
      return 0;
    }
    long hits = texts.stream().filter(ReflectionPhrases::reflects).count();
    return (double) hits / texts.size();
  }
}
