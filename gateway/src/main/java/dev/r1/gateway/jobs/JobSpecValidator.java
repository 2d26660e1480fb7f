package dev.r1.gateway.jobs;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import dev.r1.contracts.JobSubmitted;
import dev.r1.gateway.datasets.Dataset;
import dev.r1.gateway.datasets.Datasets;
import dev.r1.gateway.models.ModelRegistry;
import dev.r1.gateway.web.ApiProblem;
import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.springframework.stereotype.Component;

/**
 * Turns a {@code POST /v1/jobs} body into a {@link JobSpec}, or a 400 naming the field at fault.
 */
@Component
class JobSpecValidator {

  static final Set<String> TOP_LEVEL =
      Set.of("method", "model", "dataset", "reward", "hyperparameters");
  static final Set<String> REWARD_FUNCTIONS =
      Set.of(
          "accuracy",
          "format",
          "tag_count",
          "language_consistency",
          "length",
          "soft_overlong",
          "repetition",
          "countdown",
          "code");

  private final ModelRegistry models;
  private final Datasets datasets;

  JobSpecValidator(ModelRegistry models, Datasets datasets) {
    this.models = models;
    this.datasets = datasets;
  }

  /** A validated job spec with every default filled in. */
  record JobSpec(
      String method,
      String model,
      Dataset dataset,
      Map<String, Object> reward,
      Map<String, Object> hyperparameters) {}

  JobSpec validate(String owner, byte[] body) {
    JsonNode root;
    try {
      root = Json2.MAPPER.readTree(body);
    } catch (JsonProcessingException e) {
      String reason = e.getOriginalMessage();
      int nl = reason.indexOf('\n');
      throw ApiProblem.badRequest(
          "the body is not valid JSON: " + (nl < 0 ? reason : reason.substring(0, nl)));
    } catch (IOException e) {
      throw ApiProblem.badRequest("the body could not be read: " + e.getMessage());
    }
    if (root == null || !root.isObject()) {
      throw ApiProblem.badRequest("the body must be a JSON object but was " + Json2.kind(root));
    }
    for (String name : (Iterable<String>) root::fieldNames) {
      if (!TOP_LEVEL.contains(name)) {
        throw ApiProblem.badField(
            name, "unknown field; a job has " + String.join(", ", sortedTopLevel()));
      }
    }
    String method = requiredString(root, "method");
    if (!JobSubmitted.METHODS.contains(method)) {
      throw ApiProblem.badField(
          "method",
          "must be one of "
              + JobSubmitted.METHODS.stream().sorted().toList()
              + " but was '"
              + method
              + "'");
    }
    String model = requiredString(root, "model");
    models
        .problem(model)
        .ifPresent(
            p -> {
              throw ApiProblem.badField("model", p);
            });
    String datasetId = requiredString(root, "dataset");
    Dataset dataset =
        datasets
            .find(owner, datasetId)
            .orElseThrow(
                () ->
                    ApiProblem.badField(
                        "dataset",
                        "no dataset '" + datasetId + "'; upload one with POST /v1/datasets"));
    Map<String, Object> hyper = Hyperparameters.resolve(method, root.get("hyperparameters"));
    if (hyper.get("teacher_model") instanceof String teacher) {
      models
          .problem(teacher)
          .ifPresent(
              p -> {
                throw ApiProblem.badField("hyperparameters.teacher_model", p);
              });
    }
    Map<String, Object> reward = reward(method, root.get("reward"));
    return new JobSpec(method, model, dataset, reward, hyper);
  }

  private static List<String> sortedTopLevel() {
    return TOP_LEVEL.stream().sorted().toList();
  }

  private static String requiredString(JsonNode root, String field) {
    JsonNode v = root.get(field);
    if (v == null || v.isNull()) {
      throw ApiProblem.badField(field, "is required");
    }
    if (!v.isTextual()) {
      throw ApiProblem.badField(field, "must be a string but was " + Json2.kind(v));
    }
    if (v.textValue().isBlank()) {
      throw ApiProblem.badField(field, "must not be blank");
    }
    return v.textValue();
  }

  /** The reward spec: {@code {"functions":[{"name":..., "weight":..., "params":{...}}]}}. */
  static Map<String, Object> reward(String method, JsonNode node) {
    if (node == null || node.isNull()) {
      return defaultReward(method);
    }
    if (!node.isObject()) {
      throw ApiProblem.badField("reward", "must be an object but was " + Json2.kind(node));
    }
    for (String name : (Iterable<String>) node::fieldNames) {
      if (!name.equals("functions")) {
        throw ApiProblem.badField("reward." + name, "unknown field; a reward spec has functions");
      }
    }
    JsonNode functions = node.get("functions");
    if (functions == null || !functions.isArray() || functions.isEmpty()) {
      throw ApiProblem.badField(
          "reward.functions", "must be a non-empty array of {name, weight, params}");
    }
    List<Map<String, Object>> out = new ArrayList<>();
    for (int i = 0; i < functions.size(); i++) {
      String at = "reward.functions[" + i + "]";
      JsonNode f = functions.get(i);
      if (!f.isObject()) {
        throw ApiProblem.badField(at, "must be an object but was " + Json2.kind(f));
      }
      for (String name : (Iterable<String>) f::fieldNames) {
        if (!Set.of("name", "weight", "params").contains(name)) {
          throw ApiProblem.badField(at + "." + name, "unknown field; use name, weight, params");
        }
      }
      JsonNode name = f.get("name");
      if (name == null || !name.isTextual() || !REWARD_FUNCTIONS.contains(name.textValue())) {
        throw ApiProblem.badField(
            at + ".name",
            "must be one of "
                + REWARD_FUNCTIONS.stream().sorted().toList()
                + " but was "
                + (name == null ? "missing" : name.toString()));
      }
      JsonNode weight = f.get("weight");
      double w = 1.0;
      if (weight != null && !weight.isNull()) {
        if (!weight.isNumber() || !Double.isFinite(weight.doubleValue())) {
          throw ApiProblem.badField(
              at + ".weight", "must be a finite number but was " + Json2.kind(weight));
        }
        w = weight.doubleValue();
      }
      Map<String, Object> fn = new LinkedHashMap<>();
      fn.put("name", name.textValue());
      fn.put("weight", w);
      JsonNode params = f.get("params");
      if (params != null && !params.isNull()) {
        if (!params.isObject()) {
          throw ApiProblem.badField(
              at + ".params", "must be an object but was " + Json2.kind(params));
        }
        fn.put("params", Json2.MAPPER.convertValue(params, Map.class));
      }
      out.add(fn);
    }
    return Map.of("functions", List.copyOf(out));
  }

  private static Map<String, Object> defaultReward(String method) {
    switch (method) {
      case "sft":
        return Map.of();
      case "eval":
        return Map.of("functions", List.of(fn("accuracy", 1.0)));
      default:
        // the trainer-service's default spec: accuracy 1.0 + format 0.2
        return Map.of("functions", List.of(fn("accuracy", 1.0), fn("format", 0.2)));
    }
  }

  private static Map<String, Object> fn(String name, double weight) {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("name", name);
    m.put("weight", weight);
    return m;
  }
}
