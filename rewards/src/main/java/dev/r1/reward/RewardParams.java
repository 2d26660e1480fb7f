package dev.r1.reward;

import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Typed, validated access to one reward function's {@code params} map. Every error names the
 * parameter (prefixed with the spec path given at construction, e.g. {@code rewards[1].params}).
 */
public final class RewardParams {

  private final String path;
  private final Map<String, Object> values;

  /** Wraps {@code values} (null means empty); {@code path} prefixes error messages. */
  public RewardParams(String path, Map<String, ?> values) {
    this.path = path == null || path.isEmpty() ? "params" : path;
    this.values =
        values == null ? Map.of() : Collections.unmodifiableMap(new LinkedHashMap<>(values));
  }

  /** Empty parameters. */
  public static RewardParams empty() {
    return new RewardParams("params", Map.of());
  }

  /** Parameters from a map, with the default error prefix {@code params}. */
  public static RewardParams of(Map<String, ?> values) {
    return new RewardParams("params", values);
  }

  /** The raw values. */
  public Map<String, Object> asMap() {
    return values;
  }

  /** Throws if a key is not in {@code allowed}; the message lists the allowed keys. */
  public void requireOnly(Set<String> allowed) {
    for (String key : values.keySet()) {
      if (!allowed.contains(key)) {
        throw new IllegalArgumentException(
            path + "." + key + " is not a known parameter (known: " + new TreeSet<>(allowed) + ")");
      }
    }
  }

  public boolean has(String key) {
    return values.containsKey(key) && values.get(key) != null;
  }

  public double getDouble(String key, double dflt) {
    Object v = values.get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Number n) {
      double d = n.doubleValue();
      if (Double.isNaN(d)) {
        throw new IllegalArgumentException(path + "." + key + " must be a number, got NaN");
      }
      return d;
    }
    throw new IllegalArgumentException(path + "." + key + " must be a number, got " + describe(v));
  }

  public int getInt(String key, int dflt) {
    Object v = values.get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
      double d = n.doubleValue();
      if (Math.abs(d) <= Integer.MAX_VALUE) {
        return (int) d;
      }
    }
    throw new IllegalArgumentException(
        path + "." + key + " must be an integer, got " + describe(v));
  }

  public boolean getBoolean(String key, boolean dflt) {
    Object v = values.get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof Boolean b) {
      return b;
    }
    throw new IllegalArgumentException(
        path + "." + key + " must be true or false, got " + describe(v));
  }

  public String getString(String key, String dflt) {
    Object v = values.get(key);
    if (v == null) {
      return dflt;
    }
    if (v instanceof String s) {
      return s;
    }
    throw new IllegalArgumentException(path + "." + key + " must be a string, got " + describe(v));
  }

  /** A string that must be one of {@code choices}. */
  public String getChoice(String key, String dflt, Set<String> choices) {
    String s = getString(key, dflt);
    if (s != null && !choices.contains(s)) {
      throw new IllegalArgumentException(
          path + "." + key + " must be one of " + new TreeSet<>(choices) + ", got '" + s + "'");
    }
    return s;
  }

  /** A list of strings (null when absent). */
  public List<String> getStringList(String key) {
    Object v = values.get(key);
    if (v == null) {
      return null;
    }
    if (v instanceof List<?> list) {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < list.size(); i++) {
        if (!(list.get(i) instanceof String s)) {
          throw new IllegalArgumentException(
              path + "." + key + "[" + i + "] must be a string, got " + describe(list.get(i)));
        }
        out.add(s);
      }
      return List.copyOf(out);
    }
    throw new IllegalArgumentException(
        path + "." + key + " must be a list of strings, got " + describe(v));
  }

  /** Builds an error naming {@code key}. */
  public IllegalArgumentException invalid(String key, String problem) {
    return new IllegalArgumentException(path + "." + key + " " + problem);
  }

  static String describe(Object v) {
    if (v == null) {
      return "null";
    }
    String s = String.valueOf(v);
    if (s.length() > 40) {
      s = s.substring(0, 40) + "...";
    }
    return v.getClass().getSimpleName() + " '" + s + "'";
  }
}
