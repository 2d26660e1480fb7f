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
import jakarta.servlet.http.HttpServletResponse;
import java.time.Instant;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.ResponseStatus;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.context.request.ServletWebRequest;

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
  JobView get(@PathVariable String id, ServletWebRequest request) {
    Job job = jobs.get(Callers.owner(), id);
    if (notModified(request, jobTag(job))) {
      return null;
    }
    return JobView.of(job);
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
      @RequestParam(required = false) String type,
      ServletWebRequest request) {
    int n = Paging.limit(limit);
    String t = null;
    if (type != null) {
      try {
        t = JobEventType.valueOf(type.toUpperCase(Locale.ROOT)).name();
      } catch (IllegalArgumentException e) {
        throw ApiProblem.badField("type", "unknown event type '" + type + "'");
      }
    }
    JobService.Tagged<List<StoredEvent>> read = jobs.events(Callers.owner(), id, after, n + 1, t);
    if (notModified(request, read.etag())) {
      return null;
    }
    List<StoredEvent> page = read.value();
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
        jobs.events(Callers.owner(), id, after, n + 1, JobEventType.CHECKPOINT.name()).value();
    return ListPage.of(page.stream().limit(n).map(CheckpointView::of).toList(), page.size() > n);
  }

  @GetMapping("/v1/jobs/{id}/metrics")
  @Operation(summary = "A job's per-step metric series, for charts")
  MetricsView metrics(@PathVariable String id, ServletWebRequest request) {
    JobService.Tagged<List<StoredEvent>> read = jobs.stepMetrics(Callers.owner(), id);
    if (notModified(request, read.etag())) {
      return null;
    }
    return MetricsView.of(id, read.value());
  }

  /**
   * A job's view changes only together with {@code updated_at} (status, error, steps, finish), so
   * the tag is that time with a hash of what the view shows of the rest.
   */
  static String jobTag(Job job) {
    Instant u = job.updatedAt();
    return "\"j"
        + Long.toHexString(u.getEpochSecond() * 1_000_000L + u.getNano() / 1_000)
        + "-"
        + Integer.toHexString(
            Objects.hash(job.status(), job.error(), job.trainedSteps(), job.finishedAt()))
        + "\"";
  }

  /**
   * Conditional GET for the pollers: sets {@code ETag} and answers 304 when the client already has
   * this state ({@code If-None-Match}). {@code Cache-Control: private, no-cache} lets a browser
   * keep the response and revalidate it on every poll (Spring Security would otherwise say
   * no-store). A null tag (a page read from the database) leaves the response as it was.
   */
  private static boolean notModified(ServletWebRequest request, String etag) {
    if (etag == null) {
      return false;
    }
    HttpServletResponse response = request.getResponse();
    if (response != null) {
      response.setHeader(HttpHeaders.CACHE_CONTROL, "private, no-cache");
    }
    return request.checkNotModified(etag);
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
