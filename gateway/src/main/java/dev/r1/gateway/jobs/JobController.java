package dev.r1.gateway.jobs;

import dev.r1.contracts.JobEventType;
import dev.r1.contracts.JobSubmitted;
import dev.r1.gateway.auth.Callers;
import dev.r1.gateway.jobs.JobViews.CheckpointView;
import dev.r1.gateway.jobs.JobViews.CreateJobRequest;
import dev.r1.gateway.jobs.JobViews.EventView;
import dev.r1.gateway.jobs.JobViews.JobView;
import dev.r1.gateway.jobs.JobViews.MethodView;
import dev.r1.gateway.jobs.JobViews.MetricsView;
import dev.r1.gateway.jobs.JobViews.ParamView;
import dev.r1.gateway.web.ApiProblem;
import dev.r1.gateway.web.ListPage;
import dev.r1.gateway.web.Paging;
import io.swagger.v3.oas.annotations.Operation;
import io.swagger.v3.oas.annotations.media.Content;
import io.swagger.v3.oas.annotations.media.Schema;
import io.swagger.v3.oas.annotations.security.SecurityRequirement;
import io.swagger.v3.oas.annotations.tags.Tag;
import java.util.List;
import java.util.Locale;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;

@RestController
@Tag(name = "jobs", description = "Training, distillation, evaluation and pipeline jobs")
@SecurityRequirement(name = "apiKey")
class JobController {

  private final JobService jobs;

  JobController(JobService jobs) {
    this.jobs = jobs;
  }

  @PostMapping(path = "/v1/jobs", consumes = MediaType.APPLICATION_JSON_VALUE)
  @ResponseStatus(HttpStatus.CREATED)
  @Operation(
      summary = "Create a job",
      description =
          "Validates the spec (method, model, the caller's dataset, reward spec,"
              + " hyperparameters), stores the job as 'validating' and hands it to the workers.",
      requestBody =
          @io.swagger.v3.oas.annotations.parameters.RequestBody(
              required = true,
              content =
                  @Content(
                      mediaType = MediaType.APPLICATION_JSON_VALUE,
                      schema = @Schema(implementation = CreateJobRequest.class))))
  JobView create(@RequestBody byte[] body) {
    return JobView.of(jobs.create(Callers.owner(), body));
  }

  @GetMapping("/v1/jobs")
  @Operation(summary = "List the caller's jobs, newest first (cursor pagination)")
  ListPage<JobView> list(
      @RequestParam(required = false) String after,
      @RequestParam(required = false) Integer limit,
      @RequestParam(required = false) String status,
      @RequestParam(required = false) String method) {
    int n = Paging.limit(limit);
    if (status != null) {
      try {
        JobStatus.fromWire(status);
      } catch (IllegalArgumentException e) {
        throw ApiProblem.badField("status", "unknown status '" + status + "'");
      }
    }
    if (method != null && !JobSubmitted.METHODS.contains(method)) {
      throw ApiProblem.badField("method", "unknown method '" + method + "'");
    }
    List<Job> page = jobs.list(Callers.owner(), after, n + 1, status, method);
    return ListPage.of(page.stream().limit(n).map(JobView::of).toList(), page.size() > n);
  }

  @GetMapping("/v1/jobs/{id}")
  @Operation(summary = "Get a job")
  JobView get(@PathVariable String id) {
    return JobView.of(jobs.get(Callers.owner(), id));
  }

  @PostMapping("/v1/jobs/{id}/cancel")
  @Operation(summary = "Cancel a job (409 when it already finished)")
  JobView cancel(@PathVariable String id) {
    return JobView.of(jobs.cancel(Callers.owner(), id));
  }

  @PostMapping("/v1/jobs/{id}/pause")
  @Operation(summary = "Pause a job (409 unless validating, queued or running)")
  JobView pause(@PathVariable String id) {
    return JobView.of(jobs.pause(Callers.owner(), id));
  }

  @PostMapping("/v1/jobs/{id}/resume")
  @Operation(summary = "Resume a paused job (409 unless paused)")
  JobView resume(@PathVariable String id) {
    return JobView.of(jobs.resume(Callers.owner(), id));
  }

  @GetMapping("/v1/jobs/{id}/events")
  @Operation(
      summary = "A job's events, oldest first",
      description =
          "Lifecycle changes, messages and per-step metrics. Poll with after = the last id seen.")
  ListPage<EventView> events(
      @PathVariable String id,
      @RequestParam(required = false) String after,
      @RequestParam(required = false) Integer limit,
      @RequestParam(required = false) String type) {
    int n = Paging.limit(limit);
    String t = null;
    if (type != null) {
      try {
        t = JobEventType.valueOf(type.toUpperCase(Locale.ROOT)).name();
      } catch (IllegalArgumentException e) {
        throw ApiProblem.badField("type", "unknown event type '" + type + "'");
      }
    }
    List<StoredEvent> page = jobs.events(Callers.owner(), id, after, n + 1, t);
    return ListPage.of(page.stream().limit(n).map(EventView::of).toList(), page.size() > n);
  }

  @GetMapping("/v1/jobs/{id}/checkpoints")
  @Operation(summary = "A job's checkpoints, oldest first")
  ListPage<CheckpointView> checkpoints(
      @PathVariable String id,
      @RequestParam(required = false) String after,
      @RequestParam(required = false) Integer limit) {
    int n = Paging.limit(limit);
    List<StoredEvent> page =
        jobs.events(Callers.owner(), id, after, n + 1, JobEventType.CHECKPOINT.name());
    return ListPage.of(page.stream().limit(n).map(CheckpointView::of).toList(), page.size() > n);
  }

  @GetMapping("/v1/jobs/{id}/metrics")
  @Operation(summary = "A job's per-step metric series, for charts")
  MetricsView metrics(@PathVariable String id) {
    return MetricsView.of(id, jobs.stepMetrics(Callers.owner(), id));
  }

  @GetMapping("/v1/methods")
  @Tag(name = "jobs")
  @Operation(summary = "The job methods with their hyperparameters, ranges and defaults")
  ListPage<MethodView> methods() {
    return ListPage.of(
        JobSubmitted.METHODS.stream()
            .sorted()
            .map(
                m ->
                    new MethodView(
                        m,
                        "method",
                        Hyperparameters.BY_METHOD.get(m).stream().map(ParamView::of).toList()))
            .toList(),
        false);
  }
}
