package dev.r1.contracts;

import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/** Validation helpers for the compact constructors; every failure names record and field. */
final class Require {

  /** Job ids end up in keys, URLs and file names: keep them to a safe alphabet, no ':' . */
  static final Pattern JOB_ID = Pattern.compile("[A-Za-z0-9._-]{1,128}");

  private Require() {}

  static ContractViolationException violation(String type, String field, String problem) {
    return new ContractViolationException(type, field, problem);
  }

  static int schemaVersion(String type, int version) {
    if (version < 1) {
      throw violation(type, "schemaVersion", "must be >= 1 but was " + version);
    }
    return version;
  }

  static String jobId(String type, String jobId) {
    nonBlank(type, "jobId", jobId);
    if (!JOB_ID.matcher(jobId).matches()) {
      throw violation(type, "jobId", "must match " + JOB_ID.pattern() + " but was '" + jobId + "'");
    }
    return jobId;
  }

  static String nonBlank(String type, String field, String value) {
    if (value == null) {
      throw violation(type, field, "is required");
    }
    if (value.isBlank()) {
      throw violation(type, field, "must not be blank");
    }
    return value;
  }

  static <T> T nonNull(String type, String field, T value) {
    if (value == null) {
      throw violation(type, field, "is required");
    }
    return value;
  }

  static long nonNegative(String type, String field, long value) {
    if (value < 0) {
      throw violation(type, field, "must be >= 0 but was " + value);
    }
    return value;
  }

  static double finite(String type, String field, double value) {
    if (!Double.isFinite(value)) {
      throw violation(type, field, "must be finite but was " + value);
    }
    return value;
  }

  /** Immutable copy of a required list whose elements must not be null. */
  static <T> List<T> list(String type, String field, List<T> value) {
    nonNull(type, field, value);
    for (int i = 0; i < value.size(); i++) {
      if (value.get(i) == null) {
        throw violation(type, field + "[" + i + "]", "must not be null");
      }
    }
    return List.copyOf(value);
  }

  /** Immutable copy of an optional list; null becomes empty. */
  static <T> List<T> optionalList(String type, String field, List<T> value) {
    return value == null ? List.of() : list(type, field, value);
  }

  /** Immutable, order-keeping copy of an optional map; null becomes empty; null values kept. */
  static <V> Map<String, V> optionalMap(String type, String field, Map<String, V> value) {
    if (value == null) {
      return Map.of();
    }
    for (String key : value.keySet()) {
      if (key == null) {
        throw violation(type, field, "must not have a null key");
      }
    }
    return Collections.unmodifiableMap(new LinkedHashMap<>(value));
  }

  /** Immutable copy of a map whose values must be finite numbers. */
  static Map<String, Double> finiteMetrics(String type, String field, Map<String, Double> value) {
    Map<String, Double> copy = optionalMap(type, field, value);
    for (Map.Entry<String, Double> e : copy.entrySet()) {
      if (e.getValue() == null || !Double.isFinite(e.getValue())) {
        throw violation(
            type, field + "." + e.getKey(), "must be a finite number but was " + e.getValue());
      }
    }
    return copy;
  }

  static List<String> distinctIds(String type, String field, List<String> ids) {
    List<String> copy = list(type, field, ids);
    Set<String> seen = new HashSet<>(copy.size() * 2);
    for (int i = 0; i < copy.size(); i++) {
      String id = copy.get(i);
      nonBlank(type, field + "[" + i + "]", id);
      if (!seen.add(id)) {
        throw violation(type, field + "[" + i + "]", "duplicates id '" + id + "'");
      }
    }
    return copy;
  }
}
