package dev.r1.model.tokenizer;

import java.beans.FeatureDescriptor;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import jinjava.javax.el.ELContext;
import jinjava.javax.el.ELResolver;

/**
 * Gives Java strings the Python {@code str} methods that Hugging Face chat templates call ({@code
 * startswith}, {@code endswith}, {@code split}, {@code strip}, {@code lstrip}, {@code rstrip},
 * {@code upper}, {@code lower}, {@code title}, {@code replace}, {@code find}, {@code count}), with
 * Python semantics; everything else goes to the wrapped resolver.
 *
 * <p>Java's own {@code String.split} takes a regex and drops trailing empty parts, so {@code
 * "a</think>".split("</think>")[-1]} would be {@code "a"} instead of Python's {@code ""}: this
 * resolver intercepts it.
 */
final class PythonStringResolver extends ELResolver {

  private final ELResolver delegate;

  PythonStringResolver(ELResolver delegate) {
    this.delegate = delegate;
  }

  @Override
  public Object invoke(
      ELContext context, Object base, Object method, Class<?>[] paramTypes, Object[] params) {
    if (base instanceof String && method != null) {
      Object[] args = params == null ? new Object[0] : params;
      Object result = call((String) base, method.toString(), args);
      if (result != NOT_HANDLED) {
        context.setPropertyResolved(true);
        return result;
      }
    }
    return delegate.invoke(context, base, method, paramTypes, params);
  }

  private static final Object NOT_HANDLED = new Object();

  static Object call(String s, String method, Object[] args) {
    switch (method) {
      case "startswith":
        return matchesAffix(s, args, true);
      case "endswith":
        return matchesAffix(s, args, false);
      case "split":
        return split(s, args);
      case "strip":
        return rstrip(lstrip(s, chars(args)), chars(args));
      case "lstrip":
        return lstrip(s, chars(args));
      case "rstrip":
        return rstrip(s, chars(args));
      case "upper":
        return s.toUpperCase(Locale.ROOT);
      case "lower":
        return s.toLowerCase(Locale.ROOT);
      case "title":
        return title(s);
      case "capitalize":
        return s.isEmpty()
            ? s
            : s.substring(0, 1).toUpperCase(Locale.ROOT) + s.substring(1).toLowerCase(Locale.ROOT);
      case "replace":
        if (args.length == 2) {
          return s.replace(str(args[0], "replace"), str(args[1], "replace"));
        }
        return NOT_HANDLED;
      case "find":
        return args.length == 1 ? (long) s.indexOf(str(args[0], "find")) : NOT_HANDLED;
      case "count":
        return args.length == 1 ? (long) count(s, str(args[0], "count")) : NOT_HANDLED;
      default:
        return NOT_HANDLED;
    }
  }

  private static boolean matchesAffix(String s, Object[] args, boolean prefix) {
    if (args.length != 1) {
      throw new IllegalArgumentException(
          (prefix ? "startswith" : "endswith") + " takes one argument, got " + args.length);
    }
    List<String> options = new ArrayList<>();
    if (args[0] instanceof Iterable<?> iterable) {
      for (Object o : iterable) {
        options.add(String.valueOf(o));
      }
    } else {
      options.add(str(args[0], prefix ? "startswith" : "endswith"));
    }
    for (String option : options) {
      if (prefix ? s.startsWith(option) : s.endsWith(option)) {
        return true;
      }
    }
    return false;
  }

  private static List<String> split(String s, Object[] args) {
    List<String> out = new ArrayList<>();
    String sep = args.length > 0 && args[0] != null ? str(args[0], "split") : null;
    long maxSplit = args.length > 1 && args[1] != null ? ((Number) args[1]).longValue() : -1;
    if (sep == null) {
      // Python: runs of whitespace separate, leading/trailing whitespace ignored.
      for (String part : s.strip().split("\\s+")) {
        if (!part.isEmpty()) {
          out.add(part);
        }
      }
      return out;
    }
    if (sep.isEmpty()) {
      throw new IllegalArgumentException("split: empty separator");
    }
    int from = 0;
    int at;
    while ((maxSplit < 0 || out.size() < maxSplit) && (at = s.indexOf(sep, from)) >= 0) {
      out.add(s.substring(from, at));
      from = at + sep.length();
    }
    out.add(s.substring(from));
    return out;
  }

  private static String chars(Object[] args) {
    return args.length > 0 && args[0] != null ? str(args[0], "strip") : null;
  }

  private static boolean stripped(char c, String chars) {
    return chars == null ? Character.isWhitespace(c) : chars.indexOf(c) >= 0;
  }

  private static String lstrip(String s, String chars) {
    int i = 0;
    while (i < s.length() && stripped(s.charAt(i), chars)) {
      i++;
    }
    return s.substring(i);
  }

  private static String rstrip(String s, String chars) {
    int i = s.length();
    while (i > 0 && stripped(s.charAt(i - 1), chars)) {
      i--;
    }
    return s.substring(0, i);
  }

  private static String title(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    boolean previousIsLetter = false;
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      sb.append(previousIsLetter ? Character.toLowerCase(c) : Character.toUpperCase(c));
      previousIsLetter = Character.isLetter(c);
    }
    return sb.toString();
  }

  private static int count(String s, String sub) {
    if (sub.isEmpty()) {
      return s.length() + 1;
    }
    int n = 0;
    for (int at = s.indexOf(sub); at >= 0; at = s.indexOf(sub, at + sub.length())) {
      n++;
    }
    return n;
  }

  private static String str(Object o, String method) {
    if (o instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException(
        method + ": expected a string argument, got " + (o == null ? "none" : o.getClass()));
  }

  @Override
  public Object getValue(ELContext context, Object base, Object property) {
    return delegate.getValue(context, base, property);
  }

  @Override
  public Class<?> getType(ELContext context, Object base, Object property) {
    return delegate.getType(context, base, property);
  }

  @Override
  public void setValue(ELContext context, Object base, Object property, Object value) {
    delegate.setValue(context, base, property, value);
  }

  @Override
  public boolean isReadOnly(ELContext context, Object base, Object property) {
    return delegate.isReadOnly(context, base, property);
  }

  @Override
  public Iterator<FeatureDescriptor> getFeatureDescriptors(ELContext context, Object base) {
    return delegate.getFeatureDescriptors(context, base);
  }

  @Override
  public Class<?> getCommonPropertyType(ELContext context, Object base) {
    return delegate.getCommonPropertyType(context, base);
  }
}
