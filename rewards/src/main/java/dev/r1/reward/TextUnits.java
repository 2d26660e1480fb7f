package dev.r1.reward;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * Word splitting shared by the rewards: whitespace separates words, and every CJK character (Han,
 * Hiragana, Katakana) is a word of its own, so Chinese text without spaces still has words. A
 * linear scan: safe on megabyte inputs.
 */
public final class TextUnits {

  private TextUnits() {}

  /** True for Han ideographs and Japanese kana, the scripts written without spaces. */
  public static boolean isCjk(int codePoint) {
    if (codePoint < 0x2E80) {
      return false;
    }
    Character.UnicodeScript s = Character.UnicodeScript.of(codePoint);
    return s == Character.UnicodeScript.HAN
        || s == Character.UnicodeScript.HIRAGANA
        || s == Character.UnicodeScript.KATAKANA;
  }

  /** True for Han ideographs (Chinese characters). */
  public static boolean isHan(int codePoint) {
    return codePoint >= 0x2E80
        && Character.UnicodeScript.of(codePoint) == Character.UnicodeScript.HAN;
  }

  /**
   * Splits {@code text} into words: maximal runs of non-whitespace, non-CJK characters, and single
   * CJK characters. With {@code lowerCase}, words are lower-cased (root locale).
   */
  public static List<String> words(String text, boolean lowerCase) {
    List<String> out = new ArrayList<>();
    int n = text.length();
    int start = -1;
    for (int i = 0; i < n; ) {
      int cp = text.codePointAt(i);
      int len = Character.charCount(cp);
      if (Character.isWhitespace(cp) || Character.isSpaceChar(cp)) {
        if (start >= 0) {
          out.add(cut(text, start, i, lowerCase));
          start = -1;
        }
      } else if (isCjk(cp)) {
        if (start >= 0) {
          out.add(cut(text, start, i, lowerCase));
          start = -1;
        }
        out.add(text.substring(i, i + len));
      } else if (start < 0) {
        start = i;
      }
      i += len;
    }
    if (start >= 0) {
      out.add(cut(text, start, n, lowerCase));
    }
    return out;
  }

  private static String cut(String text, int from, int to, boolean lowerCase) {
    String w = text.substring(from, to);
    return lowerCase ? w.toLowerCase(Locale.ROOT) : w;
  }

  /**
   * The content of the first {@code <think>...</think>} block, or null when there is none. When the
   * completion has a {@code </think>} but no opening tag (the template prefilled it), the text
   * before {@code </think>} is returned.
   */
  public static String thinkContent(String completion) {
    int open = completion.indexOf("<think>");
    int close = completion.indexOf("</think>");
    if (close < 0) {
      return null;
    }
    if (open < 0 || open > close) {
      return completion.substring(0, close);
    }
    return completion.substring(open + "<think>".length(), close);
  }
}
