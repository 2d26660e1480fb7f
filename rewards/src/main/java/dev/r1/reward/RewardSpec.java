package dev.r1.reward;

import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * A job's reward spec: weighted reward functions and a per-call timeout. JSON form:
 *
 * <pre>{@code
 * {"timeout_ms": 5000,
 *  "rewards": [{"name": "format", "weight": 1.0, "params": {"require_answer_tags": true}},
 *              {"name": "code", "weight": 2.0, "params": {"language": "python"},
 *               "timeout_ms": 60000}]}
 * }</pre>
 *
 * @param rewards the weighted functions (names unique)
 * @param timeoutMillis the default bound of one function call
 */
public record RewardSpec(List<Component> rewards, long timeoutMillis) {

  /** Default per-call timeout when the spec gives none. */
  public static final long DEFAULT_TIMEOUT_MS = 10_000;

  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Set<String> TOP_KEYS = Set.of("rewards", "timeout_ms");
  private static final Set<String> ENTRY_KEYS = Set.of("name", "weight", "params", "timeout_ms");

  /**
   * One weighted function.
   *
   * @param name registry name
   * @param weight multiplies the value in the total
   * @param params the function's parameters
   * @param timeoutMillis this function's call bound, or null for the spec default
   */
  public record Component(
      String name, double weight, Map<String, Object> params, Long timeoutMillis) {
    public Component {
      Objects.requireNonNull(name, "name");
      params = params == null ? Map.of() : Map.copyOf(params);
    }

    /** The effective timeout under {@code spec}. */
    public long timeout(RewardSpec spec) {
      return timeoutMillis != null ? timeoutMillis : spec.timeoutMillis();
    }
  }

  public RewardSpec {
    rewards = List.copyOf(rewards);
  }

  /** Parses and validates a JSON spec against the registry. */
  public static RewardSpec fromJson(String json, RewardRegistry registry) {
    Map<String, Object> map;
    try {
      map = JSON.readValue(json, new TypeReference<Map<String, Object>>() {});
    } catch (Exception e) {
      throw new IllegalArgumentException("reward spec is not a JSON object: " + e.getMessage());
    }
    return fromMap(map, registry);
  }

  /**
   * Parses and validates a spec map: unknown keys, unknown function names, unknown or ill-typed
   * params and duplicate names are rejected with an error naming the field, e.g. {@code
   * rewards[1].weight must be a number}.
   */
  public static RewardSpec fromMap(Map<String, ?> map, RewardRegistry registry) {
    if (map == null) {
      throw new IllegalArgumentException("reward spec must not be null");
    }
    for (String k : map.keySet()) {
      if (!TOP_KEYS.contains(k)) {
        throw new IllegalArgumentException(
            "reward spec: unknown field '" + k + "' (known: rewards, timeout_ms)");
      }
    }
    long timeout = timeout(map.get("timeout_ms"), "timeout_ms", DEFAULT_TIMEOUT_MS);
    Object rawList = map.get("rewards");
    if (!(rawList instanceof List<?> list)) {
      throw new IllegalArgumentException(
          "rewards must be a list, got " + RewardParams.describe(rawList));
    }
    if (list.isEmpty()) {
      throw new IllegalArgumentException("rewards must not be empty");
    }
    List<Component> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < list.size(); i++) {
      String at = "rewards[" + i + "]";
      if (!(list.get(i) instanceof Map<?, ?> e)) {
        throw new IllegalArgumentException(at + " must be an object");
      }
      for (Object k : e.keySet()) {
        if (!ENTRY_KEYS.contains(String.valueOf(k))) {
          throw new IllegalArgumentException(
              at + ": unknown field '" + k + "' (known: name, weight, params, timeout_ms)");
        }
      }
      if (!(e.get("name") instanceof String name) || name.isBlank()) {
        throw new IllegalArgumentException(at + ".name must be a non-empty string");
      }
      if (!registry.contains(name)) {
        throw new IllegalArgumentException(
            at
                + ".name: unknown reward function '"
                + name
                + "' (known: "
                + new java.util.TreeSet<>(registry.names())
                + ")");
      }
      if (!seen.add(name)) {
        throw new IllegalArgumentException(at + ".name '" + name + "' appears twice");
      }
      Object w = e.containsKey("weight") ? e.get("weight") : 1.0;
      if (!(w instanceof Number wn) || !Double.isFinite(wn.doubleValue())) {
        throw new IllegalArgumentException(
            at + ".weight must be a number, got " + RewardParams.describe(w));
      }
      Object p = e.get("params");
      if (p != null && !(p instanceof Map<?, ?>)) {
        throw new IllegalArgumentException(
            at + ".params must be an object, got " + RewardParams.describe(p));
      }
      Map<String, Object> params = new LinkedHashMap<>();
      if (p instanceof Map<?, ?> pm) {
        // a null param means "use the default", as if it were absent
        pm.forEach(
            (k, v) -> {
              if (v != null) {
                params.put(String.valueOf(k), v);
              }
            });
      }
      Long t =
          e.containsKey("timeout_ms") ? timeout(e.get("timeout_ms"), at + ".timeout_ms", 0) : null;
      // building the function validates its params (names and types)
      try {
        registry.create(name, new RewardParams(at + ".params", params));
      } catch (IllegalArgumentException ex) {
        String m = String.valueOf(ex.getMessage());
        throw m.startsWith(at) ? ex : new IllegalArgumentException(at + ".params: " + m, ex);
      }
      out.add(new Component(name, wn.doubleValue(), params, t));
    }
    return new RewardSpec(out, timeout);
  }

  private static long timeout(Object v, String field, long dflt) {
    if (v == null) {
      return dflt;
    }
    if (v instanceof Number n
        && n.doubleValue() == Math.rint(n.doubleValue())
        && n.doubleValue() > 0
        && n.doubleValue() < Long.MAX_VALUE) {
      return n.longValue();
    }
    throw new IllegalArgumentException(
        field + " must be a positive integer (milliseconds), got " + RewardParams.describe(v));
  }

  /** The JSON-friendly map form (round-trips through {@link #fromMap}). */
  public Map<String, Object> toMap() {
    List<Map<String, Object>> list = new ArrayList<>();
    for (Component c : rewards) {
      Map<String, Object> m = new LinkedHashMap<>();
      m.put("name", c.name());
      m.put("weight", c.weight());
      m.put("params", c.params());
      if (c.timeoutMillis() != null) {
        m.put("timeout_ms", c.timeoutMillis());
      }
      list.add(m);
    }
    Map<String, Object> out = new LinkedHashMap<>();
    out.put("timeout_ms", timeoutMillis);
    out.put("rewards", list);
    return out;
  }
}
