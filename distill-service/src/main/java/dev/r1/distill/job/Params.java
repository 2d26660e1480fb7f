package dev.r1.distill.job;

import java.util.Map;

/** Typed access to a job's hyperparameters with defaults and ranges; errors name the key. */
record Params(Map<String, Object> h) {

  Params {
    h = h == null ? Map.of() : h;
  }

  boolean has(String key) {
    return h.get(key) != null;
  }

  int integer(String key, int dflt, int min, int max) {
    Object v = h.get(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number n) || n.doubleValue() != Math.rint(n.doubleValue())) {
      throw new IllegalArgumentException(
          "hyperparameters." + key + " must be an integer, got " + v);
    }
    long l = n.longValue();
    if (l < min || l > max) {
      throw new IllegalArgumentException(
          "hyperparameters." + key + " must be in [" + min + ", " + max + "], got " + l);
    }
    return (int) l;
  }

  double number(String key, double dflt, double min, double max) {
    Object v = h.get(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof Number n) || !Double.isFinite(n.doubleValue())) {
      throw new IllegalArgumentException("hyperparameters." + key + " must be a number, got " + v);
    }
    double d = n.doubleValue();
    if (d < min || d > max) {
      throw new IllegalArgumentException(
          "hyperparameters." + key + " must be in [" + min + ", " + max + "], got " + d);
    }
    return d;
  }

  String text(String key, String dflt) {
    Object v = h.get(key);
    if (v == null) {
      return dflt;
    }
    if (!(v instanceof String s) || s.length() > 4000) {
      throw new IllegalArgumentException(
          "hyperparameters." + key + " must be a string of at most 4000 characters, got " + v);
    }
    return s;
  }

  String required(String key) {
    String s = text(key, null);
    if (s == null || s.isBlank()) {
      throw new IllegalArgumentException("hyperparameters." + key + " is required");
    }
    return s;
  }
}
