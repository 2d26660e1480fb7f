package dev.r1.reward.math;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;

/**
 * Finds the final answer in a completion or a reference, with hand-written linear scanners (no
 * backtracking regexes), so a 1 MB or adversarial text costs linear time.
 *
 * <p>LaTeX extraction tries, in order: the last {@code <answer>...</answer>}, GSM8K {@code #### n},
 * "final answer is X", the last group of {@code \boxed{}}/{@code \fbox{}} (boxes separated by short
 * text such as " and " are joined into a list), "answer is X"/"Answer: X", the last {@code $...$},
 * {@code $$...$$}, {@code \(...\)} or {@code \[...\]} span, and finally the whole text when it is
 * short. The last-number fallback and choice-letter extraction are separate candidates.
 */
public final class AnswerExtractor {

  /** One extracted answer and the rule that found it. */
  public record Candidate(String answer, String source) {}

  private static final int BOX_GAP = 40;
  private static final int WHOLE_TEXT_MAX = 300;
  private static final int SNIPPET_MAX = 300;

  private AnswerExtractor() {}

  /**
   * The part of a completion that may hold the answer: the text after the last {@code </think>};
   * empty when a {@code <think>} is never closed; the whole text when there are no think tags or
   * when {@code requireOutsideThink} is false.
   */
  public static Optional<String> answerRegion(String completion, boolean requireOutsideThink) {
    if (!requireOutsideThink) {
      return Optional.of(completion);
    }
    int close = completion.lastIndexOf("</think>");
    if (close >= 0) {
      return Optional.of(completion.substring(close + "</think>".length()));
    }
    if (completion.contains("<think>")) {
      return Optional.empty();
    }
    return Optional.of(completion);
  }

  /** Candidate answers of a text under the given options (at most one per kind). */
  public static List<Candidate> candidates(String text, AccuracyOptions options) {
    return candidates(text, options, Deadline.after(options.timeoutMillis()));
  }

  static List<Candidate> candidates(String text, AccuracyOptions o, Deadline d) {
    List<Candidate> out = new ArrayList<>();
    if (o.latex()) {
      Candidate c = latexAnswer(text, d, true);
      if (c != null) {
        out.add(c);
      }
    }
    if (o.lastNumberFallback()) {
      String n = lastNumber(text, d);
      if (n != null) {
        out.add(new Candidate(n, "last number"));
      }
    }
    return out;
  }

  /** The first LaTeX-style answer found by the rules above, or null. */
  static Candidate latexAnswer(String text, Deadline d, boolean allowTags) {
    if (allowTags) {
      String tagged = lastTagContent(text, "<answer>", "</answer>");
      if (tagged != null) {
        Candidate inner = latexAnswer(tagged, d, false);
        return inner != null
            ? new Candidate(inner.answer(), "<answer> tag, " + inner.source())
            : new Candidate(tagged.trim(), "<answer> tag");
      }
    }
    int hash = text.lastIndexOf("####");
    if (hash >= 0) {
      String s = line(text, hash + 4);
      if (!s.isBlank()) {
        return new Candidate(s.trim(), "#### line");
      }
    }
    String lower = text.toLowerCase(Locale.ROOT);
    String fin = phrase(text, lower, "final answer is", d);
    if (fin != null) {
      return new Candidate(fin, "'final answer is'");
    }
    String boxed = lastBoxedGroup(text, d);
    if (boxed != null) {
      return new Candidate(boxed, "\\boxed");
    }
    for (String p : new String[] {"answer is", "answer:", "answer :"}) {
      String s = phrase(text, lower, p, d);
      if (s != null) {
        return new Candidate(s, "'" + p + "'");
      }
    }
    String span = lastMathSpan(text, d);
    if (span != null) {
      return new Candidate(span, "last math span");
    }
    String whole = text.trim();
    if (!whole.isEmpty() && whole.length() <= WHOLE_TEXT_MAX) {
      return new Candidate(whole, "whole text");
    }
    return null;
  }

  private static String lastTagContent(String text, String open, String close) {
    int end = text.lastIndexOf(close);
    if (end < 0) {
      return null;
    }
    int start = text.lastIndexOf(open, end);
    if (start < 0) {
      return null;
    }
    return text.substring(start + open.length(), end);
  }

  private static String line(String text, int from) {
    int end = text.indexOf('\n', from);
    return text.substring(from, end < 0 ? text.length() : end);
  }

  /** The answer after the last occurrence of a phrase, or null when it is prose. */
  private static String phrase(String text, String lower, String phrase, Deadline d) {
    int at = lower.lastIndexOf(phrase);
    if (at < 0) {
      return null;
    }
    int i = at + phrase.length();
    int n = text.length();
    while (i < n
        && (Character.isWhitespace(text.charAt(i))
            || text.charAt(i) == ':'
            || text.charAt(i) == '*')) {
      i++;
    }
    if (i >= n) {
      return null;
    }
    if (text.startsWith("\\boxed", i) || text.startsWith("\\fbox", i)) {
      String b = boxedAt(text, i, d);
      if (b != null) {
        return b;
      }
    }
    String snippet = sentence(text, i);
    String boxed = lastBoxedGroup(snippet, d);
    if (boxed != null) {
      return boxed;
    }
    String cleaned = clean(snippet);
    if (cleaned.isEmpty()) {
      return null;
    }
    if (isProse(cleaned)) {
      int is = cleaned.lastIndexOf(" is ");
      if (is >= 0 && !isProse(cleaned.substring(is + 4))) {
        return cleaned.substring(is + 4).trim();
      }
      return null;
    }
    return cleaned;
  }

  /** Text from i to the end of its sentence or line, at most SNIPPET_MAX chars. */
  private static String sentence(String text, int i) {
    int n = Math.min(text.length(), i + SNIPPET_MAX);
    int dollars = 0;
    for (int k = i; k < n; k++) {
      char c = text.charAt(k);
      if (c == '$' && (k == 0 || text.charAt(k - 1) != '\\')) {
        dollars++;
      }
      if (c == '\n' && dollars % 2 == 0) {
        return text.substring(i, k);
      }
      if ((c == '.' || c == '!' || c == '?') && dollars % 2 == 0) {
        boolean end = k + 1 >= text.length() || Character.isWhitespace(text.charAt(k + 1));
        if (end) {
          return text.substring(i, k);
        }
      }
    }
    return text.substring(i, n);
  }

  private static String clean(String s) {
    StringBuilder b = new StringBuilder(s.length());
    for (int k = 0; k < s.length(); k++) {
      char c = s.charAt(k);
      if (c == '$' && (k == 0 || s.charAt(k - 1) != '\\')) {
        continue;
      }
      if (c == '"' || c == '“' || c == '”' || c == '*') {
        continue;
      }
      if (c == '\\' && k + 1 < s.length() && s.charAt(k + 1) == '"') {
        continue;
      }
      b.append(c);
    }
    String r = b.toString().trim();
    while (r.endsWith(".") || r.endsWith(",")) {
      r = r.substring(0, r.length() - 1).trim();
    }
    return r;
  }

  /** True when s has at least two words of three or more plain letters outside LaTeX commands. */
  private static boolean isProse(String s) {
    int words = 0;
    int run = 0;
    boolean command = false;
    for (int k = 0; k <= s.length(); k++) {
      char c = k < s.length() ? s.charAt(k) : ' ';
      if (Character.isLetter(c)) {
        run++;
      } else {
        if (run >= 3 && !command) {
          words++;
        }
        run = 0;
        command = c == '\\';
        continue;
      }
      if (k > 0 && s.charAt(k - 1) == '\\') {
        command = true;
      }
    }
    return words >= 2;
  }

  // ---------------------------------------------------------------- boxes

  /** Content of the box starting at i (\boxed or \fbox), or null when it is not closed. */
  private static String boxedAt(String text, int i, Deadline d) {
    int j = text.startsWith("\\boxed", i) ? i + 6 : i + 5;
    int n = text.length();
    while (j < n && text.charAt(j) == ' ') {
      j++;
    }
    if (j >= n) {
      return null;
    }
    if (text.charAt(j) != '{') {
      int k = j;
      while (k < n
          && k - j < 100
          && !Character.isWhitespace(text.charAt(k))
          && text.charAt(k) != '$') {
        k++;
      }
      return k > j ? text.substring(j, k) : null;
    }
    int close = matchBrace(text, j, d);
    return close < 0 ? null : text.substring(j + 1, close);
  }

  /** Index of the brace closing the one at j, or -1; linear in the scanned length. */
  private static int matchBrace(String text, int j, Deadline d) {
    int depth = 0;
    for (int k = j; k < text.length(); k++) {
      d.tick();
      char c = text.charAt(k);
      if (c == '\\') {
        k++;
      } else if (c == '{') {
        depth++;
      } else if (c == '}' && --depth == 0) {
        return k;
      }
    }
    return -1;
  }

  /**
   * The content of the last closed box, joined with the boxes just before it when only short text
   * separates them ("\boxed{1} and \boxed{2}" gives "1, 2"). Linear time: boxes are found in one
   * backward pass and each brace is matched with one precomputed table.
   */
  static String lastBoxedGroup(String text, Deadline d) {
    List<Integer> boxes = boxPositions(text, d);
    if (boxes.isEmpty()) {
      return null;
    }
    int[] close = closingBraces(text, d);
    List<String> parts = new ArrayList<>();
    int groupStart = -1;
    for (int idx = boxes.size() - 1; idx >= 0 && parts.size() < 20; idx--) {
      d.tick();
      int b = boxes.get(idx);
      int j = b + (text.startsWith("\\boxed", b) ? 6 : 5);
      while (j < text.length() && text.charAt(j) == ' ') {
        j++;
      }
      int end;
      String content;
      if (j < text.length() && text.charAt(j) == '{') {
        if (close[j] < 0) {
          continue; // unclosed box
        }
        end = close[j] + 1;
        content = text.substring(j + 1, close[j]);
      } else {
        content = boxedAt(text, b, d);
        if (content == null) {
          continue;
        }
        end = j + content.length();
      }
      if (!parts.isEmpty()) {
        if (end > groupStart) {
          continue; // a box nested inside the group
        }
        String gap = text.substring(end, groupStart);
        if (gap.length() > BOX_GAP || gap.contains("\n\n")) {
          break;
        }
      }
      if (!parts.contains(content.trim())) {
        parts.add(0, content.trim());
      }
      groupStart = b;
    }
    if (parts.isEmpty()) {
      return null;
    }
    return String.join(", ", parts);
  }

  /** Start indices of every \boxed and \fbox, in one forward pass. */
  private static List<Integer> boxPositions(String text, Deadline d) {
    List<Integer> out = new ArrayList<>();
    int i = 0;
    while (true) {
      d.tick();
      int k = text.indexOf('\\', i);
      if (k < 0) {
        return out;
      }
      if (text.startsWith("\\boxed", k) || text.startsWith("\\fbox", k)) {
        out.add(k);
      }
      i = k + 1;
    }
  }

  /** close[i] = index of the brace matching an opening brace at i, else -1. */
  private static int[] closingBraces(String text, Deadline d) {
    int n = text.length();
    int[] close = new int[n];
    int[] stack = new int[64];
    int top = 0;
    for (int k = 0; k < n; k++) {
      d.tick();
      close[k] = -1;
      char c = text.charAt(k);
      if (c == '\\' && k + 1 < n) {
        k++;
        close[k] = -1;
      } else if (c == '{') {
        if (top == stack.length) {
          stack = java.util.Arrays.copyOf(stack, top * 2);
        }
        stack[top++] = k;
      } else if (c == '}' && top > 0) {
        close[stack[--top]] = k;
      }
    }
    return close;
  }

  // ---------------------------------------------------------------- math spans

  /** Content of the last $...$, $$...$$, \(...\) or \[...\] span, or null. */
  static String lastMathSpan(String text, Deadline d) {
    String last = null;
    int n = text.length();
    int i = 0;
    boolean noParenClose = false;
    boolean noBracketClose = false;
    boolean noDoubleClose = false;
    while (i < n) {
      d.tick();
      char c = text.charAt(i);
      if (c == '\\' && i + 1 < n) {
        char e = text.charAt(i + 1);
        if (e == '(' && !noParenClose || e == '[' && !noBracketClose) {
          String closing = e == '(' ? "\\)" : "\\]";
          int end = text.indexOf(closing, i + 2);
          if (end < 0) {
            if (e == '(') {
              noParenClose = true;
            } else {
              noBracketClose = true;
            }
            i += 2;
            continue;
          }
          String s = text.substring(i + 2, end);
          if (!s.isBlank()) {
            last = s;
          }
          i = end + 2;
          continue;
        }
        i += 2;
        continue;
      }
      if (c == '$') {
        boolean dbl = i + 1 < n && text.charAt(i + 1) == '$' && !noDoubleClose;
        int from = i + (dbl ? 2 : 1);
        int end = dbl ? text.indexOf("$$", from) : unescapedDollar(text, from);
        if (end < 0) {
          if (dbl) {
            noDoubleClose = true;
            continue;
          }
          break;
        }
        String s = text.substring(from, end);
        if (!s.isBlank()) {
          last = s;
        }
        i = end + (dbl ? 2 : 1);
        continue;
      }
      i++;
    }
    return last;
  }

  private static int unescapedDollar(String text, int from) {
    int k = from;
    while (true) {
      int e = text.indexOf('$', k);
      if (e <= 0 || text.charAt(e - 1) != '\\') {
        return e;
      }
      k = e + 1;
    }
  }

  // ---------------------------------------------------------------- numbers

  /**
   * The last number of the text, normalized: thousands commas removed ("1,000.99"), a decimal comma
   * read as a point ("2,74"), a simple fraction kept ("2/3"). Digits glued to letters before them
   * ("AZYUK2A") are not numbers.
   */
  static String lastNumber(String text, Deadline d) {
    String last = null;
    int n = text.length();
    int i = 0;
    while (i < n) {
      d.tick();
      char c = text.charAt(i);
      boolean start =
          isDigit(c)
              || c == '.'
                  && i + 1 < n
                  && isDigit(text.charAt(i + 1))
                  && (i == 0 || !isDigit(text.charAt(i - 1)));
      if (!start || i > 0 && Character.isLetter(text.charAt(i - 1))) {
        if (isDigit(c)) {
          while (i < n && (isDigit(text.charAt(i)) || Character.isLetter(text.charAt(i)))) {
            i++;
          }
          continue;
        }
        i++;
        continue;
      }
      boolean neg =
          i > 0
              && text.charAt(i - 1) == '-'
              && (i < 2 || !Character.isLetterOrDigit(text.charAt(i - 2)));
      StringBuilder b = new StringBuilder(neg ? "-" : "");
      int k = i;
      while (k < n && isDigit(text.charAt(k))) {
        b.append(text.charAt(k++));
      }
      while (k + 3 < n + 0 && text.charAt(k) == ',' && digitRun(text, k + 1) == 3) {
        b.append(text, k + 1, k + 4);
        k += 4;
      }
      if (k < n
          && text.charAt(k) == ','
          && (digitRun(text, k + 1) == 1 || digitRun(text, k + 1) == 2)) {
        b.append('.').append(text, k + 1, k + 1 + digitRun(text, k + 1));
        k += 1 + digitRun(text, k + 1);
      } else if (k < n && text.charAt(k) == '.' && digitRun(text, k + 1) > 0) {
        int r = digitRun(text, k + 1);
        b.append('.').append(text, k + 1, k + 1 + r);
        k += 1 + r;
      }
      if (k < n && text.charAt(k) == '/' && digitRun(text, k + 1) > 0) {
        int r = digitRun(text, k + 1);
        b.append('/').append(text, k + 1, k + 1 + r);
        k += 1 + r;
      }
      String num = b.toString();
      if (num.startsWith(".") || num.startsWith("-.")) {
        num = num.replace(".", "0.");
      }
      last = num;
      i = Math.max(k, i + 1);
    }
    return last;
  }

  private static int digitRun(String s, int from) {
    int k = from;
    while (k < s.length() && isDigit(s.charAt(k))) {
      k++;
    }
    return k - from;
  }

  private static boolean isDigit(char c) {
    return c >= '0' && c <= '9';
  }

  // ---------------------------------------------------------------- choices

  /** The choice letter a reference names ("B", "(A) Cecile", "\text{(C)}"), if it is one. */
  public static Optional<Character> referenceChoice(String reference, boolean allowLabel) {
    String s = stripChoiceWrappers(reference);
    if (!allowLabel && s.length() != 1) {
      return Optional.empty();
    }
    if (s.isEmpty()) {
      return Optional.empty();
    }
    char c = s.charAt(0);
    if (c < 'A' || c > 'J') {
      return Optional.empty();
    }
    if (s.length() == 1) {
      return Optional.of(c);
    }
    char next = s.charAt(1);
    if (next == ')' || next == '.' || next == ':' || Character.isWhitespace(next)) {
      return Optional.of(c);
    }
    return Optional.empty();
  }

  private static String stripChoiceWrappers(String s) {
    String t = s.trim();
    for (String w : new String[] {"\\boxed", "\\text", "\\textbf", "\\mathrm", "\\mathbf"}) {
      t = t.replace(w, "");
    }
    StringBuilder b = new StringBuilder();
    for (int k = 0; k < t.length(); k++) {
      char c = t.charAt(k);
      if (c != '$' && c != '{' && c != '}' && c != '(' && c != '\\') {
        b.append(c);
      }
    }
    return b.toString().trim();
  }

  /**
   * The choice letter a completion picks: a boxed letter, the letter after "answer is"/"answer:", a
   * leading "B." / "(B)", else the last standalone capital letter up to {@code maxLetter}.
   */
  public static Optional<Character> completionChoice(String text, char maxLetter) {
    return completionChoice(text, maxLetter, Deadline.none());
  }

  static Optional<Character> completionChoice(String text, char maxLetter, Deadline d) {
    char max = (char) Math.max('E', maxLetter);
    String boxed = lastBoxedGroup(text, d);
    if (boxed != null) {
      String s = stripChoiceWrappers(boxed).replace(")", "");
      if (s.length() == 1 && s.charAt(0) >= 'A' && s.charAt(0) <= max) {
        return Optional.of(s.charAt(0));
      }
    }
    String lower = text.toLowerCase(Locale.ROOT);
    for (String p : new String[] {"answer is", "answer:", "answer :", "option"}) {
      int at = lower.lastIndexOf(p);
      if (at >= 0) {
        Character c =
            firstStandalone(
                text, at + p.length(), Math.min(text.length(), at + p.length() + 40), max, d);
        if (c != null) {
          return Optional.of(c);
        }
      }
    }
    String t = text.stripLeading();
    if (t.startsWith("(") && t.length() >= 3 && t.charAt(2) == ')') {
      t = t.substring(1);
    }
    if (t.length() >= 2 && t.charAt(0) >= 'A' && t.charAt(0) <= max) {
      char next = t.charAt(1);
      if (!Character.isLetterOrDigit(next) && !Character.isWhitespace(next) && next != '\'') {
        return Optional.of(t.charAt(0));
      }
    } else if (t.length() == 1 && t.charAt(0) >= 'A' && t.charAt(0) <= max) {
      return Optional.of(t.charAt(0));
    }
    Character last = null;
    int n = text.length();
    for (int k = 0; k < n; k++) {
      d.tick();
      char c = text.charAt(k);
      if (c >= 'A' && c <= max && standalone(text, k)) {
        last = c;
      }
    }
    return Optional.ofNullable(last);
  }

  private static Character firstStandalone(String text, int from, int to, char max, Deadline d) {
    for (int k = from; k < to; k++) {
      d.tick();
      char c = text.charAt(k);
      if (c >= 'A' && c <= max && standalone(text, k)) {
        return c;
      }
    }
    return null;
  }

  private static boolean standalone(String text, int k) {
    boolean before =
        k == 0
            || !Character.isLetterOrDigit(text.charAt(k - 1))
                && text.charAt(k - 1) != '\\'
                && text.charAt(k - 1) != '\'';
    boolean after =
        k + 1 >= text.length()
            || !Character.isLetterOrDigit(text.charAt(k + 1)) && text.charAt(k + 1) != '\'';
    return before && after;
  }
}
