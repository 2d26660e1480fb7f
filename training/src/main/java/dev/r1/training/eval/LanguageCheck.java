package dev.r1.training.eval;

import dev.r1.reward.TextUnits;

/**
 * Whether a completion's reasoning stays in one language (the R1 paper's language mixing problem):
 * the share of words in the target language among the words of the {@code <think>} block (the whole
 * text when there is none) must reach a threshold. Words are runs of two or more Latin letters
 * (English) or single Han ideographs (Chinese); runs of any other script count against both.
 * Reasoning without words (digits and symbols only) is consistent.
 */
public final class LanguageCheck {

  /** The share of target-language words a consistent completion needs. */
  public static final double DEFAULT_THRESHOLD = 0.95;

  /** The target language. */
  public enum Language {
    ENGLISH,
    CHINESE
  }

  private LanguageCheck() {}

  /** The share of target-language words in the reasoning; 1 when it holds no words. */
  public static double share(String completion, Language target) {
    String cot = TextUnits.thinkContent(completion);
    String s = cot == null ? completion : cot;
    long en = 0;
    long zh = 0;
    long other = 0;
    int i = 0;
    int n = s.length();
    while (i < n) {
      int cp = s.codePointAt(i);
      if (TextUnits.isHan(cp)) {
        zh++;
        i += Character.charCount(cp);
        continue;
      }
      if (!Character.isLetter(cp)) {
        i += Character.charCount(cp);
        continue;
      }
      Character.UnicodeScript script = Character.UnicodeScript.of(cp);
      int j = i;
      int letters = 0;
      while (j < n) {
        int c = s.codePointAt(j);
        if (!Character.isLetter(c)
            || TextUnits.isHan(c)
            || Character.UnicodeScript.of(c) != script) {
          break;
        }
        letters++;
        j += Character.charCount(c);
      }
      if (script == Character.UnicodeScript.LATIN) {
        if (letters >= 2) {
          en++;
        }
      } else {
        other++;
      }
      i = j;
    }
    long total = en + zh + other;
    if (total == 0) {
      return 1.0;
    }
    return (target == Language.ENGLISH ? en : zh) / (double) total;
  }

  /** Whether the reasoning reaches {@link #DEFAULT_THRESHOLD} in the target language. */
  public static boolean consistent(String completion, Language target) {
    return share(completion, target) >= DEFAULT_THRESHOLD;
  }
}
