package dev.r1.gateway.jobs;

import com.fasterxml.jackson.annotation.JsonProperty;
import io.swagger.v3.oas.annotations.media.Schema;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;

/** The JSON objects of the jobs API (snake_case, times in epoch seconds, as OpenAI's API). */
final class JobViews {

  private JobViews() {}

  @Schema(name = "Job", description = "A training, distillation, evaluation or pipeline job")
  record JobView(
      String id,
      String object,
      String method,
      String model,
      String dataset,
      @Schema(
              allowableValues = {
                "validating",
                "queued",
                "running",
                "paused",
                "succeeded",
                "failed",
                "cancelled"
              })
          String status,
      Map<String, Object> reward,
      Map<String, Object> hyperparameters,
      @JsonProperty("trained_steps") long trainedSteps,
      String error,
      @JsonProperty("created_at") long createdAt,
      @JsonProperty("updated_at") long updatedAt,
      @JsonProperty("finished_at") Long finishedAt) {

    static JobView of(Job j) {
      return new JobView(
          j.id(),
          "job",
          j.method(),
          j.model(),
          j.datasetId(),
          j.status().wire(),
          j.reward(),
          j.hyperparameters(),
          j.trainedSteps(),
          j.error(),
          j.createdAt().getEpochSecond(),
          j.updatedAt().getEpochSecond(),
          seconds(j.finishedAt()));
    }
  }

  @Schema(
      name = "JobEvent",
      description = "A lifecycle change, a step's metrics, a checkpoint or a message")
  record EventView(
      String id,
      String object,
      @Schema(
              allowableValues = {
                "created",
                "validating",
                "queued",
                "running",
                "step_metrics",
                "checkpoint",
                "succeeded",
                "failed",
                "cancelled",
                "paused",
                "resumed",
                "message",
                "stage_started",
                "stage_completed"
              })
          String type,
      @Schema(allowableValues = {"debug", "info", "warn", "error"}) String level,
      String message,
      Long step,
      Map<String, Object> metrics,
      String source,
      @Schema(description = "whether the event moved the job's status") boolean applied,
      @JsonProperty("created_at") long createdAt) {

    static EventView of(StoredEvent e) {
      return new EventView(
          e.eventId(),
          "job.event",
          e.type().toLowerCase(Locale.ROOT),
          e.level().toLowerCase(Locale.ROOT),
          e.message(),
          e.step(),
          e.metrics(),
          e.source(),
          e.applied(),
          e.createdAt().getEpochSecond());
    }
  }

  @Schema(name = "JobCheckpoint", description = "A checkpoint a job wrote")
  record CheckpointView(
      String id,
      String object,
      @JsonProperty("job_id") String jobId,
      @JsonProperty("step_number") Long stepNumber,
      @Schema(description = "the checkpoint's version or URI, as the worker reported it")
          String checkpoint,
      Map<String, Object> metrics,
      @JsonProperty("created_at") long createdAt) {

    static CheckpointView of(StoredEvent e) {
      return new CheckpointView(
          e.eventId(),
          "job.checkpoint",
          e.jobId(),
          e.step(),
          e.message(),
          e.metrics(),
          e.createdAt().getEpochSecond());
    }
  }

  @Schema(
      name = "JobMetrics",
      description =
          "Per-step metric series for charts: series[name][i] is the value at steps[i] (null where"
              + " that step did not report it; the latest report of a step wins)")
  record MetricsView(
      String object,
      @JsonProperty("job_id") String jobId,
      List<Long> steps,
      Map<String, List<Double>> series) {

    /**
     * One point per (stage, step): a pipeline's stages each count steps from 1, and events of one
     * point (sent separately) merge; points are ordered by stage, then step.
     */
    static MetricsView of(String jobId, List<StoredEvent> stepEvents) {
      Map<StagedStep, Map<String, Object>> byPoint = new TreeMap<>();
      for (StoredEvent e : stepEvents) {
        byPoint.computeIfAbsent(StagedStep.of(e), s -> new LinkedHashMap<>()).putAll(e.metrics());
      }
      Map<Long, Map<String, Object>> byStep = new LinkedHashMap<>();
      List<Long> steps = new ArrayList<>();
      long index = 0;
      for (Map.Entry<StagedStep, Map<String, Object>> p : byPoint.entrySet()) {
        steps.add(p.getKey().step());
        byStep.put(index++, p.getValue());
      }
      Map<String, List<Double>> series = new LinkedHashMap<>();
      for (Map<String, Object> m : byStep.values()) {
        for (String name : m.keySet()) {
          series.computeIfAbsent(name, n -> new ArrayList<>());
        }
      }
      for (Map.Entry<String, List<Double>> s : series.entrySet()) {
        for (Map<String, Object> point : byStep.values()) {
          Object v = point.get(s.getKey());
          s.getValue().add(v instanceof Number n ? n.doubleValue() : null);
        }
      }
      return new MetricsView("job.metrics", jobId, steps, series);
    }
  }

  /** A metrics point's place: the pipeline stage (0 outside pipelines) and the step in it. */
  private record StagedStep(long stage, long step) implements Comparable<StagedStep> {
    static StagedStep of(StoredEvent e) {
      Object stage = e.metrics().get("stage");
      return new StagedStep(stage instanceof Number n ? n.longValue() : 0, e.step());
    }

    @Override
    public int compareTo(StagedStep o) {
      int c = Long.compare(stage, o.stage);
      return c != 0 ? c : Long.compare(step, o.step);
    }
  }

  @Schema(name = "CreateJobRequest", description = "A job to run")
  record CreateJobRequest(
      @Schema(
              requiredMode = Schema.RequiredMode.REQUIRED,
              allowableValues = {"grpo", "sft", "distill", "eval", "pipeline"})
          String method,
      @Schema(
              requiredMode = Schema.RequiredMode.REQUIRED,
              description = "a model name from GET /v1/models (never a path)")
          String model,
      @Schema(
              requiredMode = Schema.RequiredMode.REQUIRED,
              description = "a dataset id from POST /v1/datasets")
          String dataset,
      @Schema(
              description =
                  "reward spec {\"functions\":[{\"name\":\"accuracy\",\"weight\":1.0,"
                      + "\"params\":{}}]}; functions: accuracy, format, tag_count,"
                      + " language_consistency, length, soft_overlong, repetition, countdown,"
                      + " code. Default: accuracy 1.0 + format 0.2 (eval: accuracy; sft: none)")
          Map<String, Object> reward,
      @Schema(
              description =
                  "the method's hyperparameters; GET /v1/methods lists names, types, ranges and"
                      + " defaults; unknown names are rejected")
          Map<String, Object> hyperparameters) {}

  @Schema(name = "Method", description = "A job method and its hyperparameters")
  record MethodView(String id, String object, List<ParamView> hyperparameters) {}

  @Schema(name = "Hyperparameter")
  record ParamView(
      String name,
      @Schema(allowableValues = {"integer", "number", "boolean", "string", "string_list"})
          String type,
      Double minimum,
      Double maximum,
      List<String> allowed,
      @JsonProperty("default") Object defaultValue,
      boolean required,
      String description) {

    static ParamView of(Hyperparameters.Param p) {
      boolean ranged =
          p.kind() == Hyperparameters.Kind.INTEGER || p.kind() == Hyperparameters.Kind.NUMBER;
      return new ParamView(
          p.name(),
          p.kind().name().toLowerCase(Locale.ROOT),
          ranged ? p.min() : null,
          ranged ? p.max() : null,
          p.allowed().stream().sorted().toList(),
          p.defaultValue(),
          p.required(),
          p.description());
    }
  }

  static Long seconds(Instant t) {
    return t == null ? null : t.getEpochSecond();
  }
}
