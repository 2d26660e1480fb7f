package dev.r1.launcher;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Reads the metric selectors and grouping labels out of a PromQL expression, enough for dashboard
 * queries: {@code name}, {@code name{label op "value", ...}}, functions and aggregations (an
 * identifier before "("), {@code by/without/on/ignoring/group_left/group_right (labels)}, range and
 * offset durations, Grafana variables ({@code $job}, {@code $__rate_interval}).
 */
final class PromQl {

  record Matcher(String label, String op, String value) {}

  record Selector(String metric, List<Matcher> matchers) {}

  record Query(List<Selector> selectors, Set<String> groupingLabels) {}

  private static final Set<String> LABEL_LIST_KEYWORDS =
      Set.of("by", "without", "on", "ignoring", "group_left", "group_right");

  private static final Set<String> KEYWORDS =
      Set.of("and", "or", "unless", "bool", "offset", "inf", "nan", "atan2");

  private PromQl() {}

  static Query parse(String expr) {
    List<String> t = tokens(expr);
    List<Selector> selectors = new ArrayList<>();
    Set<String> grouping = new LinkedHashSet<>();
    int i = 0;
    while (i < t.size()) {
      String tok = t.get(i);
      String next = i + 1 < t.size() ? t.get(i + 1) : "";
      if (tok.equals("[")) { // range or subquery duration
        while (i < t.size() && !t.get(i).equals("]")) {
          i++;
        }
        i++;
        continue;
      }
      if (tok.equals("{")) {
        throw new IllegalArgumentException("selector without a metric name in: " + expr);
      }
      if (!isIdentifier(tok)) {
        i++;
        continue;
      }
      if (LABEL_LIST_KEYWORDS.contains(tok) && next.equals("(")) {
        i += 2;
        while (i < t.size() && !t.get(i).equals(")")) {
          if (isIdentifier(t.get(i))) {
            grouping.add(t.get(i));
          }
          i++;
        }
        i++;
        continue;
      }
      if (next.equals("(")
          || next.equals("by")
          || next.equals("without")
          || KEYWORDS.contains(tok)) { // a function, an aggregation (sum by (...) (...)), a keyword
        i++;
        continue;
      }
      List<Matcher> matchers = new ArrayList<>();
      i++;
      if (next.equals("{")) {
        i++;
        while (i < t.size() && !t.get(i).equals("}")) {
          if (t.get(i).equals(",")) {
            i++;
            continue;
          }
          String label = t.get(i);
          String op = t.get(i + 1);
          String value = t.get(i + 2);
          if (!isIdentifier(label) || !value.startsWith("\"")) {
            throw new IllegalArgumentException(
                "bad label matcher near '" + label + "' in: " + expr);
          }
          matchers.add(new Matcher(label, op, value.substring(1, value.length() - 1)));
          i += 3;
        }
        i++;
      }
      selectors.add(new Selector(tok, matchers));
    }
    return new Query(selectors, grouping);
  }

  private static boolean isIdentifier(String tok) {
    return tok.matches("[a-zA-Z_:][a-zA-Z0-9_:]*");
  }

  /** Identifiers, quoted strings, numbers/durations, $variables, operators and brackets. */
  static List<String> tokens(String s) {
    List<String> out = new ArrayList<>();
    int i = 0;
    while (i < s.length()) {
      char c = s.charAt(i);
      if (Character.isWhitespace(c)) {
        i++;
      } else if (c == '"' || c == '\'') {
        int j = i + 1;
        while (j < s.length() && s.charAt(j) != c) {
          j += s.charAt(j) == '\\' ? 2 : 1;
        }
        out.add('"' + s.substring(i + 1, Math.min(j, s.length())) + '"');
        i = j + 1;
      } else if (c == '$') { // Grafana variable: $name, ${name}, $__rate_interval
        int j = i + 1;
        if (j < s.length() && s.charAt(j) == '{') {
          j = s.indexOf('}', j) + 1;
        } else {
          while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '_')) {
            j++;
          }
        }
        out.add(s.substring(i, j));
        i = j;
      } else if (Character.isLetter(c) || c == '_' || c == ':') {
        int j = i;
        while (j < s.length()
            && (Character.isLetterOrDigit(s.charAt(j))
                || s.charAt(j) == '_'
                || s.charAt(j) == ':')) {
          j++;
        }
        out.add(s.substring(i, j));
        i = j;
      } else if (Character.isDigit(c) || c == '.') {
        int j = i;
        while (j < s.length() && (Character.isLetterOrDigit(s.charAt(j)) || s.charAt(j) == '.')) {
          j++;
        }
        out.add(s.substring(i, j)); // 0.5, 1e3, 5m
        i = j;
      } else if (i + 1 < s.length()
          && Set.of("=~", "!~", "!=", "==", ">=", "<=").contains(s.substring(i, i + 2))) {
        out.add(s.substring(i, i + 2));
        i += 2;
      } else {
        out.add(String.valueOf(c));
        i++;
      }
    }
    return out;
  }
}
