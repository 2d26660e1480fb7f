package dev.r1.gateway.jobs;

import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.gateway.web.ApiProblem;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The hyperparameters of each method: name, type, range and default. A job's hyperparameters are
 * checked against its method's table (unknown names, wrong types and out-of-range values are 400s
 * naming {@code hyperparameters.<name>}) and completed with the defaults.
 */
final class Hyperparameters {

  enum Kind {
    INTEGER,
    NUMBER,
    BOOLEAN,
    STRING,
    STRING_LIST
  }

  /**
   * One hyperparameter.
   *
   * @param allowed for STRING and STRING_LIST: the allowed values (empty: any, checked elsewhere)
   * @param defaultValue the value used when absent; null when required or optional
   * @param required whether a job must give it (no default)
   */
  record Param(
      String name,
      Kind kind,
      double min,
      double max,
      Set<String> allowed,
      Object defaultValue,
      boolean required,
      String description) {}

  private static final Set<String> LOSS_AGGREGATIONS =
      Set.of("sequence_mean", "token_mean", "constant_normalizer");
  private static final Set<String> ADVANTAGE_SCALES = Set.of("group", "batch", "none");

  static final Map<String, List<Param>> BY_METHOD = tables();

  private Hyperparameters() {}

  private static Map<String, List<Param>> tables() {
    Map<String, List<Param>> t = new LinkedHashMap<>();
    // Mirrors trainer-service's GrpoJobSpec (names, ranges, defaults); keep the two in step.
    t.put(
        "grpo",
        List.of(
            integer("group_size", 2, 256, 8, "completions sampled per prompt (G)"),
            integer("batch_prompts", 1, 4096, 8, "prompts (groups) per optimiser step"),
            integer("max_steps", 1, 1_000_000, 20, "optimiser steps"),
            number("learning_rate", 0.0, 1.0, 2e-4, "AdamW peak learning rate"),
            integer("warmup_steps", 0, 1_000_000, 0, "linear warm-up steps"),
            integer("max_new_tokens", 1, 32768, 48, "completion length limit"),
            number("temperature", 1e-3, 10.0, 1.0, "sampling temperature"),
            number("top_p", 1e-6, 1.0, 1.0, "nucleus sampling mass"),
            integer("top_k", 0, 1_000_000, 0, "top-k sampling (0 = off)"),
            number("epsilon_low", 0.0, 0.999, 0.2, "lower clip range of the ratio"),
            number("epsilon_high", 0.0, 10.0, 0.28, "upper clip range (DAPO clip-higher)"),
            number("beta", 0.0, 100.0, 0.0, "weight of the k3 KL penalty to the reference"),
            string(
                "loss_aggregation",
                LOSS_AGGREGATIONS,
                "token_mean",
                "sequence_mean (GRPO), token_mean (DAPO) or constant_normalizer (Dr. GRPO)"),
            string(
                "advantage_scale",
                ADVANTAGE_SCALES,
                "group",
                "divide advantages by the group's std, the batch's, or not at all"),
            integer(
                "max_staleness",
                0,
                64,
                1,
                "most policy versions a sample may lag the trainer (asynchronous RL)"),
            integer("seed", 0, Integer.MAX_VALUE, 0, "random seed"),
            integer("checkpoint_every", 1, 1_000_000, 10, "steps between checkpoints"),
            integer("iterations", 1, 16, 1, "inner GRPO iterations per batch (mu)"),
            bool("dynamic_sampling", true, "drop groups whose rewards are all equal"),
            bool("mask_truncated", true, "leave completions cut at max_new_tokens out of the loss"),
            new Param(
                "importance_ratio_cap",
                Kind.NUMBER,
                1,
                1000,
                Set.of(),
                null,
                false,
                "cap on the importance ratio of stale samples (absent: no cap)"),
            integer("micro_batch_size", 1, 4096, 64, "completions per forward/backward pass"),
            integer("digits", 1, 6, 2, "operand digits of the built-in arithmetic task"),
            number("weight_decay", 0.0, 1.0, 0.0, "AdamW weight decay"),
            number("max_grad_norm", 0.0, 1e6, 1.0, "gradient clipping norm")));
    // sft, distill, eval and pipeline mirror what the distill-service reads (job.Params)
    t.put(
        "sft",
        List.of(
            integer("epochs", 1, 100, 3, "passes over the dataset"),
            number("learning_rate", 0.0, 1.0, 1e-3, "AdamW learning rate"),
            integer("batch_size", 1, 4096, 16, "examples per optimiser step"),
            integer("max_seq_len", 16, 131_072, 2048, "longest tokenised example kept"),
            integer("warmup_steps", 0, 1_000_000, 0, "linear warm-up steps"),
            number("weight_decay", 0.0, 1.0, 0.0, "AdamW weight decay"),
            integer("seed", 0, Integer.MAX_VALUE, 0, "random seed")));
    t.put(
        "distill",
        List.of(
            string("teacher_model", Set.of(), null, "the teacher's model name (required)"),
            integer("samples_per_prompt", 1, 256, 4, "teacher traces sampled per prompt"),
            integer("prompts", 1, 100_000, 1000, "prompts the teacher answers"),
            integer("max_per_prompt", 1, 256, 2, "verified traces kept per prompt"),
            number(
                "general_share", 0.0, 0.9, 0.0, "share of general (non-reasoning) data mixed in"),
            integer("student_hidden", 0, 4096, 0, "a fresh student's width (0: the given model)"),
            integer("student_layers", 1, 64, 2, "a fresh student's layers"),
            integer("max_new_tokens", 1, 131_072, 48, "teacher trace length limit"),
            number("temperature", 1e-3, 10.0, 0.7, "teacher sampling temperature"),
            integer("digits", 1, 6, 2, "operand digits of the built-in arithmetic task"),
            integer("seed", 0, Integer.MAX_VALUE, 0, "random seed")));
    t.put(
        "eval",
        List.of(
            integer("k", 1, 256, 16, "samples per prompt (pass@1 from k samples, cons@k)"),
            integer("prompts", 1, 100_000, 100, "prompts evaluated"),
            number("temperature", 0.0, 10.0, 0.7, "sampling temperature"),
            integer("max_new_tokens", 1, 131_072, 48, "completion length limit"),
            integer("digits", 1, 6, 2, "operand digits of the built-in arithmetic task"),
            integer("seed", 0, Integer.MAX_VALUE, 0, "random seed")));
    t.put(
        "pipeline",
        List.of(
            string(
                "preset",
                Set.of("quick", "default"),
                "default",
                "cold start -> GRPO -> rejection-sampling SFT -> GRPO -> distillation ->"
                    + " evaluation, sized quick (about 3 minutes on 2 cores) or default"),
            integer("seed", 0, Integer.MAX_VALUE, 0, "random seed")));
    return Map.copyOf(t);
  }

  private static Param integer(String name, long min, long max, long dflt, String description) {
    return new Param(name, Kind.INTEGER, min, max, Set.of(), dflt, false, description);
  }

  private static Param number(String name, double min, double max, double dflt, String desc) {
    return new Param(name, Kind.NUMBER, min, max, Set.of(), dflt, false, desc);
  }

  private static Param string(String name, Set<String> allowed, String dflt, String desc) {
    return new Param(name, Kind.STRING, 0, 0, allowed, dflt, dflt == null, desc);
  }

  private static Param bool(String name, boolean dflt, String desc) {
    return new Param(name, Kind.BOOLEAN, 0, 0, Set.of(), dflt, false, desc);
  }

  /**
   * The method's hyperparameters from {@code given} (an object or null), completed with defaults.
   */
  static Map<String, Object> resolve(String method, JsonNode given) {
    List<Param> table = BY_METHOD.get(method);
    Map<String, Param> byName = new LinkedHashMap<>();
    table.forEach(p -> byName.put(p.name(), p));
    if (given != null && !given.isNull()) {
      if (!given.isObject()) {
        throw ApiProblem.badField(
            "hyperparameters", "must be an object but was " + Json2.kind(given));
      }
      for (String name : (Iterable<String>) given::fieldNames) {
        if (!byName.containsKey(name)) {
          throw ApiProblem.badField(
              "hyperparameters." + name,
              "unknown hyperparameter for method "
                  + method
                  + "; known: "
                  + String.join(", ", byName.keySet()));
        }
      }
    }
    Map<String, Object> out = new LinkedHashMap<>();
    for (Param p : table) {
      JsonNode v = given == null || given.isNull() ? null : given.get(p.name());
      if (v == null || v.isNull()) {
        if (p.required()) {
          throw ApiProblem.badField("hyperparameters." + p.name(), "is required for " + method);
        }
        if (p.defaultValue() != null) {
          out.put(p.name(), p.defaultValue());
        }
      } else {
        out.put(p.name(), check(p, v));
      }
    }
    return out;
  }

  private static Object check(Param p, JsonNode v) {
    String field = "hyperparameters." + p.name();
    switch (p.kind()) {
      case INTEGER:
        if (!v.isIntegralNumber() || !v.canConvertToLong()) {
          throw ApiProblem.badField(field, "must be an integer but was " + Json2.kind(v));
        }
        long l = v.longValue();
        if (l < p.min() || l > p.max()) {
          throw ApiProblem.badField(field, range(p) + " but was " + l);
        }
        return l;
      case NUMBER:
        if (!v.isNumber()) {
          throw ApiProblem.badField(field, "must be a number but was " + Json2.kind(v));
        }
        double d = v.doubleValue();
        if (!Double.isFinite(d) || d < p.min() || d > p.max()) {
          throw ApiProblem.badField(field, range(p) + " but was " + v.asText());
        }
        return d;
      case BOOLEAN:
        if (!v.isBoolean()) {
          throw ApiProblem.badField(field, "must be true or false but was " + Json2.kind(v));
        }
        return v.booleanValue();
      case STRING:
        if (!v.isTextual()) {
          throw ApiProblem.badField(field, "must be a string but was " + Json2.kind(v));
        }
        String s = v.textValue();
        if (!p.allowed().isEmpty() && !p.allowed().contains(s)) {
          throw ApiProblem.badField(
              field, "must be one of " + sorted(p.allowed()) + " but was '" + s + "'");
        }
        return s;
      case STRING_LIST:
        if (!v.isArray()) {
          throw ApiProblem.badField(field, "must be an array of strings but was " + Json2.kind(v));
        }
        if (v.size() < p.min() || v.size() > p.max()) {
          throw ApiProblem.badField(
              field,
              "must have between "
                  + (long) p.min()
                  + " and "
                  + (long) p.max()
                  + " entries but had "
                  + v.size());
        }
        List<String> list = new ArrayList<>();
        for (int i = 0; i < v.size(); i++) {
          JsonNode e = v.get(i);
          if (!e.isTextual() || !p.allowed().contains(e.textValue())) {
            throw ApiProblem.badField(
                field + "[" + i + "]",
                "must be one of " + sorted(p.allowed()) + " but was " + e.toString());
          }
          list.add(e.textValue());
        }
        return List.copyOf(list);
      default:
        throw new IllegalStateException("unhandled kind " + p.kind());
    }
  }

  private static String range(Param p) {
    if (p.kind() == Kind.INTEGER) {
      return "must be between " + (long) p.min() + " and " + (long) p.max();
    }
    return "must be between " + p.min() + " and " + p.max();
  }

  private static List<String> sorted(Set<String> s) {
    return s.stream().sorted().toList();
  }
}
