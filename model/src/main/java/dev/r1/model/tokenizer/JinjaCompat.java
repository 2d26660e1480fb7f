package dev.r1.model.tokenizer;

import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Rewrites the few Jinja2 constructs of Hugging Face chat templates that Jinjava does not parse,
 * and provides the Python-flavoured helpers ({@code tojson}, {@code raise_exception}) the templates
 * expect.
 *
 * <p>Rewrites, applied only inside {@code {% %}} and {@code {{ }}} tags:
 *
 * <ul>
 *   <li>{@code seq[::-1]} becomes {@code seq|reverse} (Jinjava has no slice syntax).
 *   <li>{@code namespace(a=x|length - 1)}: each keyword value is wrapped in parentheses, because
 *       Jinjava binds {@code a=x|length} before the {@code - 1} and then fails to coerce.
 * </ul>
 */
final class JinjaCompat {

  private static final Pattern TAG = Pattern.compile("\\{[{%].*?[}%]}", Pattern.DOTALL);
  private static final Pattern REVERSE_SLICE = Pattern.compile("\\[\\s*:\\s*:\\s*-1\\s*]");

  private JinjaCompat() {}

  static String prepare(String template) {
    Matcher m = TAG.matcher(template);
    StringBuilder out = new StringBuilder(template.length() + 64);
    int last = 0;
    while (m.find()) {
      out.append(template, last, m.start());
      String tag = m.group();
      tag = REVERSE_SLICE.matcher(tag).replaceAll("|reverse");
      tag = parenthesizeNamespaceArgs(tag);
      out.append(tag);
      last = m.end();
    }
    out.append(template, last, template.length());
    return out.toString();
  }

  /** Wraps every keyword value of each {@code namespace(...)} call in parentheses. */
  static String parenthesizeNamespaceArgs(String tag) {
    StringBuilder out = new StringBuilder(tag.length() + 16);
    int from = 0;
    int at;
    while ((at = tag.indexOf("namespace(", from)) >= 0) {
      int open = at + "namespace(".length();
      int close = matchingParen(tag, open - 1);
      if (close < 0) {
        break;
      }
      out.append(tag, from, open);
      List<String> args = splitTopLevel(tag.substring(open, close));
      for (int i = 0; i < args.size(); i++) {
        String arg = args.get(i);
        int eq = keywordEquals(arg);
        if (i > 0) {
          out.append(',');
        }
        if (eq > 0) {
          out.append(arg, 0, eq + 1).append('(').append(arg.substring(eq + 1).trim()).append(')');
        } else {
          out.append(arg);
        }
      }
      out.append(')');
      from = close + 1;
    }
    out.append(tag.substring(from));
    return out.toString();
  }

  private static int matchingParen(String s, int openIndex) {
    int depth = 0;
    char quote = 0;
    for (int i = openIndex; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
        if (depth == 0) {
          return c == ')' ? i : -1;
        }
      }
    }
    return -1;
  }

  private static List<String> splitTopLevel(String s) {
    List<String> parts = new ArrayList<>();
    int depth = 0;
    char quote = 0;
    int start = 0;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (quote != 0) {
        if (c == '\\') {
          i++;
        } else if (c == quote) {
          quote = 0;
        }
      } else if (c == '\'' || c == '"') {
        quote = c;
      } else if (c == '(' || c == '[' || c == '{') {
        depth++;
      } else if (c == ')' || c == ']' || c == '}') {
        depth--;
      } else if (c == ',' && depth == 0) {
        parts.add(s.substring(start, i));
        start = i + 1;
      }
    }
    if (start < s.length() || !parts.isEmpty()) {
      parts.add(s.substring(start));
    }
    return parts;
  }

  /** Index of the {@code =} of a {@code name=value} argument, or -1 when it is positional. */
  private static int keywordEquals(String arg) {
    int i = 0;
    while (i < arg.length() && Character.isWhitespace(arg.charAt(i))) {
      i++;
    }
    int nameStart = i;
    while (i < arg.length() && (Character.isLetterOrDigit(arg.charAt(i)) || arg.charAt(i) == '_')) {
      i++;
    }
    if (i == nameStart) {
      return -1;
    }
    while (i < arg.length() && Character.isWhitespace(arg.charAt(i))) {
      i++;
    }
    boolean isEquals =
        i < arg.length()
            && arg.charAt(i) == '='
            && (i + 1 >= arg.length() || arg.charAt(i + 1) != '=');
    return isEquals ? i : -1;
  }

  /**
   * Serializes like Python's {@code json.dumps(value, ensure_ascii=False)} (separators {@code ", "}
   * and {@code ": "}), or with an indent like {@code json.dumps(value, indent=n)}, which is what
   * Hugging Face's {@code tojson} filter does.
   */
  static String toPythonJson(Object value, int indent) {
    StringBuilder sb = new StringBuilder();
    writeJson(sb, value, indent, 0);
    return sb.toString();
  }

  private static void writeJson(StringBuilder sb, Object value, int indent, int level) {
    if (value == null) {
      sb.append("null");
    } else if (value instanceof String || value instanceof Character) {
      writeString(sb, value.toString());
    } else if (value instanceof Boolean || value instanceof Integer || value instanceof Long) {
      sb.append(value);
    } else if (value instanceof Number n) {
      double d = n.doubleValue();
      if (d == Math.rint(d) && !Double.isInfinite(d) && Math.abs(d) < 1e16) {
        sb.append((long) d).append(".0");
      } else {
        sb.append(d);
      }
    } else if (value instanceof Map<?, ?> map) {
      if (map.isEmpty()) {
        sb.append("{}");
        return;
      }
      sb.append('{');
      boolean first = true;
      for (Map.Entry<?, ?> e : map.entrySet()) {
        separator(sb, first, indent, level + 1);
        first = false;
        writeString(sb, String.valueOf(e.getKey()));
        sb.append(": ");
        writeJson(sb, e.getValue(), indent, level + 1);
      }
      closing(sb, indent, level);
      sb.append('}');
    } else if (value instanceof Collection<?> || value instanceof Object[]) {
      Collection<?> items =
          value instanceof Object[] array ? List.of(array) : (Collection<?>) value;
      if (items.isEmpty()) {
        sb.append("[]");
        return;
      }
      sb.append('[');
      boolean first = true;
      for (Object item : items) {
        separator(sb, first, indent, level + 1);
        first = false;
        writeJson(sb, item, indent, level + 1);
      }
      closing(sb, indent, level);
      sb.append(']');
    } else {
      writeString(sb, value.toString());
    }
  }

  private static void separator(StringBuilder sb, boolean first, int indent, int level) {
    if (indent > 0) {
      sb.append(first ? "\n" : ",\n").append(" ".repeat(indent * level));
    } else if (!first) {
      sb.append(", ");
    }
  }

  private static void closing(StringBuilder sb, int indent, int level) {
    if (indent > 0) {
      sb.append('\n').append(" ".repeat(indent * level));
    }
  }

  private static void writeString(StringBuilder sb, String s) {
    sb.append('"');
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      switch (c) {
        case '"' -> sb.append("\\\"");
        case '\\' -> sb.append("\\\\");
        case '\n' -> sb.append("\\n");
        case '\r' -> sb.append("\\r");
        case '\t' -> sb.append("\\t");
        case '\b' -> sb.append("\\b");
        case '\f' -> sb.append("\\f");
        default -> {
          if (c < 0x20) {
            sb.append(String.format("\\u%04x", (int) c));
          } else {
            sb.append(c);
          }
        }
      }
    }
    sb.append('"');
  }

  /** Target of the templates' {@code raise_exception(message)} function. */
  public static String raiseException(String message) {
    throw new ChatTemplateException("chat template raised: " + message);
  }
}
