package dev.r1.distill.web;

import dev.r1.distill.job.JobManager;
import dev.r1.distill.job.JobStatus;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ResponseStatusException;

/** {@code GET /v1/distill/jobs/{id}}: a job's state, latest message and results. */
@RestController
class JobStatusController {

  private final JobManager jobs;

  JobStatusController(JobManager jobs) {
    this.jobs = jobs;
  }

  @GetMapping("/v1/distill/jobs/{id}")
  JobStatus status(@PathVariable String id) {
    return jobs.status(id)
        .orElseThrow(
            () ->
                new ResponseStatusException(
                    HttpStatus.NOT_FOUND, "job " + id + " is not known to this distill-service"));
  }
}
