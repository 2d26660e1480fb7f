package dev.r1.reward.service.api;

import dev.r1.reward.RewardInput;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A validated {@code POST /v1/rewards/score} body: {@code {spec: {...}, items: [{completion,
 * reference, prompt?, metadata?}]}}. Every error names the field ({@code items[2].completion}).
 *
 * @param spec the reward spec map (checked later against the registry)
 * @param items the completions to score
 */
record ScoreRequest(Map<String, Object> spec, List<RewardInput> items) {

  private static final Set<String> TOP = Set.of("spec", "items");
  private static final Set<String> ITEM = Set.of("completion", "reference", "prompt", "metadata");

  /** Validates a decoded JSON body. */
  static ScoreRequest from(Map<String, Object> body, int maxItems) {
    if (body == null) {
      throw BadRequestException.invalid("$", "the request body must be a JSON object");
    }
    for (String k : body.keySet()) {
      if (!TOP.contains(k)) {
        throw BadRequestException.invalid(k, "unknown field '" + k + "' (known: items, spec)");
      }
    }
    Object spec = body.get("spec");
    if (!(spec instanceof Map<?, ?> specMap)) {
      throw BadRequestException.invalid(
          "spec", "spec must be an object (a reward spec), got " + describe(spec));
    }
    Object rawItems = body.get("items");
    if (!(rawItems instanceof List<?> list)) {
      throw BadRequestException.invalid(
          "items", "items must be an array of objects, got " + describe(rawItems));
    }
    if (list.isEmpty()) {
      throw BadRequestException.invalid("items", "items must not be empty");
    }
    if (list.size() > maxItems) {
      throw BadRequestException.tooLarge(
          "items",
          "items has " + list.size() + " entries; at most " + maxItems + " per request",
          maxItems);
    }
    List<RewardInput> items = new ArrayList<>(list.size());
    for (int i = 0; i < list.size(); i++) {
      items.add(item(list.get(i), "items[" + i + "]"));
    }
    Map<String, Object> specCopy = new LinkedHashMap<>();
    specMap.forEach((k, v) -> specCopy.put(String.valueOf(k), v));
    return new ScoreRequest(specCopy, items);
  }

  private static RewardInput item(Object raw, String at) {
    if (!(raw instanceof Map<?, ?> m)) {
      throw BadRequestException.invalid(at, at + " must be an object, got " + describe(raw));
    }
    for (Object k : m.keySet()) {
      if (!ITEM.contains(String.valueOf(k))) {
        throw BadRequestException.invalid(
            at + "." + k,
            at + ": unknown field '" + k + "' (known: completion, metadata, prompt, reference)");
      }
    }
    if (!(m.get("completion") instanceof String completion)) {
      throw BadRequestException.invalid(
          at + ".completion",
          at + ".completion must be a string, got " + describe(m.get("completion")));
    }
    Object ref = m.get("reference");
    String reference;
    if (ref == null || ref instanceof String) {
      reference = (String) ref;
    } else if (ref instanceof Number n) {
      reference = n.toString();
    } else {
      throw BadRequestException.invalid(
          at + ".reference", at + ".reference must be a string or a number, got " + describe(ref));
    }
    Object prompt = m.get("prompt");
    if (prompt != null && !(prompt instanceof String)) {
      throw BadRequestException.invalid(
          at + ".prompt", at + ".prompt must be a string, got " + describe(prompt));
    }
    Object meta = m.get("metadata");
    Map<String, Object> metadata = new LinkedHashMap<>();
    if (meta instanceof Map<?, ?> mm) {
      mm.forEach(
          (k, v) -> {
            if (v != null) {
              metadata.put(String.valueOf(k), v);
            }
          });
    } else if (meta != null) {
      throw BadRequestException.invalid(
          at + ".metadata", at + ".metadata must be an object, got " + describe(meta));
    }
    return new RewardInput((String) prompt, completion, reference, metadata);
  }

  static String describe(Object v) {
    if (v == null) {
      return "null (missing)";
    }
    if (v instanceof Map) {
      return "an object";
    }
    if (v instanceof List) {
      return "an array";
    }
    if (v instanceof String) {
      return "a string";
    }
    if (v instanceof Boolean) {
      return "a boolean";
    }
    if (v instanceof Number) {
      return "a number";
    }
    return v.getClass().getSimpleName();
  }
}
